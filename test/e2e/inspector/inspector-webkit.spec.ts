// The inspector's main flow (the first test of inspector.spec.ts) in WebKitGTK, through
// WebDriver: the same steps and checks, with WebDriver's keys for the keyboard and polls of
// the page's DOM for Playwright's locators. Runs in the webkit project only.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test as base, expect, ROOT } from '../support/fixtures.js';
import type { WebKitPage } from '../support/webkit.js';
import { type InspectorServer, inspectorServerFixture, samples } from './fixtures.js';

const S = samples();
const ARM = S.latest.children.find((c) => c.platform === 'linux/arm64/v8')!;
const ENTER = '\uE007';

const test = base.extend<{ window: WebKitPage }, { inspectorServer: InspectorServer }>({
  inspectorServer: inspectorServerFixture,
  window: async ({ _webkit }, use) => {
    if (!_webkit) throw new Error('inspector-webkit.spec.ts runs in the webkit project only');
    const session = await _webkit.newSession();
    try {
      const window = await session.newPage('about:blank');
      await window.setSize(1280, 800);
      await use(window);
    } finally {
      await session.quit();
    }
  },
});

/** The text of each element `css` matches, whitespace collapsed (what toHaveText compares). */
function texts(page: WebKitPage, css: string): Promise<string[]> {
  return page.evaluate((s) => [...document.querySelectorAll(s)].map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()), css);
}

const text = async (page: WebKitPage, css: string) => (await texts(page, css))[0] ?? null;

function attribute(page: WebKitPage, css: string, name: string): Promise<string | null> {
  return page.evaluate(({ css, name }) => document.querySelector(css)?.getAttribute(name) ?? null, { css, name });
}

const BADGE = '#view .view-header .badge';
const VIEW = '#view';
const MANIFEST = '#view [data-view="manifest"]';
const CONFIG = `${MANIFEST} section.config`;

test('enter the index, see both platforms, open one: layers and config history; miss, then hit after a reload', async ({
  window: page,
  inspectorServer,
}, testInfo) => {
  await page.goto(`${inspectorServer.url}/inspector.html`);
  await expect.poll(() => attribute(page, 'html', 'data-ready')).toBe('true');
  // Keyboard only: WebDriver's keys go to the focused field, Enter included.
  await page.sendKeys(await page.element('#ref'), `hello${ENTER}`);

  await expect.poll(() => text(page, `${VIEW} [data-view="index"] h2`)).toBe('hello:latest');
  await expect.poll(() => page.currentUrl()).toMatch(/\?ref=hello%3Alatest$/);
  const rows = `${VIEW} table.platforms tbody tr`;
  await expect.poll(() => texts(page, `${rows} th`)).toEqual(['linux/amd64', 'linux/arm64/v8']);
  expect((await texts(page, rows))[1]).toContain('856 B');
  await expect.poll(() => attribute(page, BADGE, 'data-badge')).toBe('miss');
  expect(await attribute(page, BADGE, 'data-cache-status')).toMatch(/^regcache; fwd=miss; stored/);

  // The index read each platform's manifest and config for its size and date (both stored).
  await expect.poll(async () => (await texts(page, `${rows} [data-cell="created"]`)).every((t) => t !== '')).toBe(true);
  // To the arm64 platform link, and Enter on it.
  await page.sendKeys(await page.element(`${rows}:nth-child(2) a`), ENTER);
  await expect.poll(() => text(page, `${MANIFEST} h2`)).toBe(`hello@${ARM.digest}`);
  expect(await text(page, `${MANIFEST} .breadcrumb`)).toBe('Platform linux/arm64/v8 of hello:latest');
  expect(await text(page, `${MANIFEST} [data-field="media-type"]`)).toContain('application/vnd.oci.image.manifest.v1+json');
  expect(await attribute(page, `${MANIFEST} [data-field="digest"] button`, 'data-copy')).toBe(ARM.digest);
  expect(await texts(page, `${MANIFEST} .layers tbody tr`)).toHaveLength(3);
  expect(await texts(page, `${MANIFEST} .bars li`)).toHaveLength(3);
  expect(await attribute(page, BADGE, 'data-badge')).toBe('hit');

  await expect.poll(() => attribute(page, `${CONFIG} [data-config-source]`, 'data-config-source')).toBe('offline-store');
  expect(await text(page, `${CONFIG} [data-field="platform"]`)).toBe('linux/arm64/v8');
  expect(await text(page, `${CONFIG} [data-field="created"]`)).toBe('2024-06-01 12:05:00 UTC');
  expect(await text(page, `${CONFIG} [data-field="entrypoint"]`)).toBe('["/usr/local/bin/hello"]');
  expect(await text(page, `${CONFIG} [data-field="cmd"]`)).toBe('["--color","auto"]');
  expect(await texts(page, `${CONFIG} .env li`)).toEqual([
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'GREETING=world',
  ]);
  expect(await text(page, `${CONFIG} .labels dt`)).toBe('org.opencontainers.image.title');
  // History lined up with the layers: steps 1, 3 and 4 made layers 1, 2 and 3.
  const history = await texts(page, `${CONFIG} table.history tbody tr`);
  expect(history).toHaveLength(8);
  const layers = await texts(page, `${CONFIG} [data-history-layer]`);
  expect(layers).toHaveLength(8);
  [/^#1 · /, 'empty layer', /^#2 · /, /^#3 · /, 'empty layer', 'empty layer', 'empty layer', 'empty layer'].forEach((want, i) => {
    if (typeof want === 'string') expect(layers[i]).toBe(want);
    else expect(layers[i]).toMatch(want);
  });
  expect(history[3]).toContain('COPY file:hello');

  const shot = await page.screenshot();
  const path = testInfo.outputPath('inspector-webkit.png');
  await writeFile(path, shot);
  await testInfo.attach('inspector-webkit', { path, contentType: 'image/png' });
  // REGCACHE_DOCS_SCREENSHOTS=1 refreshes the screenshot in docs/ from this run.
  if (process.env.REGCACHE_DOCS_SCREENSHOTS === '1') await writeFile(join(ROOT, 'docs', 'inspector-webkit.png'), shot);

  // A reload asks again: a digest is served from the store.
  await page.reload();
  await expect.poll(() => text(page, `${MANIFEST} h2`)).toBe(`hello@${ARM.digest}`);
  await expect.poll(() => attribute(page, BADGE, 'data-badge')).toBe('hit');
  // Back to the index, and a reload: the tag is re-checked and confirmed.
  await page.goBack();
  await expect.poll(() => text(page, `${VIEW} [data-view="index"] h2`)).toBe('hello:latest');
  await page.reload();
  await expect.poll(() => text(page, `${VIEW} [data-view="index"] h2`)).toBe('hello:latest');
  await expect.poll(() => attribute(page, BADGE, 'data-badge')).toMatch(/^(hit|revalidated|refreshing)$/);
  await page.goForward();
  await expect.poll(() => text(page, `${MANIFEST} h2`)).toBe(`hello@${ARM.digest}`);
});
