// The inspector's new flows of issue 17 in Firefox ESR, through puppeteer's own page API
// over WebDriver BiDi: the registry browser (inspector-browser.spec.ts), the offline
// library (inspector-library.spec.ts) and compare (inspector-compare.spec.ts), with their
// steps and checks; polls of the page's DOM stand in for Playwright's locators. Runs in
// the firefox project only.
import type { Page as PuppeteerPage } from 'puppeteer-core';
import { test as base, expect } from '../support/fixtures.js';
import { type InspectorServer, inspectorServerFixture, samples } from './fixtures.js';

const S = samples();
const AMD = S.latest.children.find((c) => c.platform === 'linux/amd64')!;
const ARM = S.latest.children.find((c) => c.platform === 'linux/arm64/v8')!;

const test = base.extend<{ tab: PuppeteerPage; inspector: InspectorServer }, { inspectorServer: InspectorServer }>({
  inspectorServer: inspectorServerFixture,
  inspector: async ({ inspectorServer }, use) => {
    inspectorServer.offline(false);
    inspectorServer.log.length = 0;
    await use(inspectorServer);
    inspectorServer.offline(false);
  },
  // A user context of its own (its own workers and storage), dropped after the test.
  tab: async ({ _firefox }, use) => {
    if (!_firefox) throw new Error('inspector-firefox.spec.ts runs in the firefox project only');
    const context = await _firefox.newContext();
    try {
      const page = await context.newPage();
      await page.setViewport({ width: 1280, height: 800 });
      await use(page);
    } finally {
      await _firefox.forget(context);
    }
  },
});

/** The text of each element `css` matches, whitespace collapsed (what toHaveText compares). */
function texts(page: PuppeteerPage, css: string): Promise<string[]> {
  return page.evaluate((s) => [...document.querySelectorAll(s)].map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()), css);
}

const text = async (page: PuppeteerPage, css: string) => (await texts(page, css))[0] ?? null;
const count = async (page: PuppeteerPage, css: string) => (await texts(page, css)).length;

function attribute(page: PuppeteerPage, css: string, name: string): Promise<string | null> {
  return page.evaluate((css, name) => document.querySelector(css)?.getAttribute(name) ?? null, css, name);
}

/** Whether `css` matches an element that is laid out (what toBeVisible checks, roughly). */
function visible(page: PuppeteerPage, css: string): Promise<boolean> {
  return page.evaluate((s) => {
    const e = document.querySelector(s);
    return !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  }, css);
}

/** Clicks the link under `scope` whose text is `name`, with a real pointer click. */
async function clickLink(page: PuppeteerPage, scope: string, name: string): Promise<void> {
  await expect.poll(() => texts(page, `${scope} a`)).toContain(name);
  const links = await page.$$(`${scope} a`);
  for (const link of links) {
    if ((await link.evaluate((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim())) === name) {
      await link.click();
      return;
    }
  }
  throw new Error(`no link ${name} under ${scope}`);
}

async function openInspector(page: PuppeteerPage, origin: string, query = ''): Promise<void> {
  await page.goto(`${origin}/inspector.html${query}`);
  await expect.poll(() => attribute(page, 'html', 'data-ready')).toBe('true');
}

const VIEW = '#view';

test('browse: repositories, a repository’s tags with platforms, size and created; a tag, a platform', async ({ tab: page, inspector }) => {
  await openInspector(page, inspector.url);
  await clickLink(page, 'body', 'Browse the repositories on the embedded sample registry');
  await expect.poll(() => text(page, `${VIEW} [data-view="catalog"] h2`)).toMatch(/^Repositories on /);
  await expect.poll(() => page.url()).toMatch(/\?browse=$/);
  await expect.poll(() => texts(page, `${VIEW} .repositories li`)).toEqual(['library/hello']);

  await clickLink(page, `${VIEW} .repositories`, 'library/hello');
  await expect.poll(() => page.url()).toMatch(/\?browse=hello$/);
  const tags = `${VIEW} [data-view="tags"]`;
  await expect.poll(() => text(page, `${tags} h2`)).toBe('Tags of hello');
  await expect.poll(() => texts(page, `${tags} table.tags tbody tr th`)).toEqual(['docker', 'latest', 'oci']);
  // Each row's details load when it is seen.
  await expect.poll(() => count(page, `${tags} tr[data-loaded="true"]`)).toBe(3);
  expect(await text(page, `${tags} tr[data-tag="latest"] [data-cell="platforms"]`)).toBe('linux/amd64, linux/arm64/v8');
  expect(await text(page, `${tags} tr[data-tag="latest"] [data-cell="size"]`)).toBe('27 KiB');
  expect(await text(page, `${tags} tr[data-tag="latest"] [data-cell="created"]`)).toBe('2024-06-01 12:05:00 UTC');
  expect(await text(page, `${tags} tr[data-tag="oci"] [data-cell="platforms"]`)).toBe('linux/amd64');
  expect(await text(page, `${tags} tr[data-tag="oci"] [data-cell="created"]`)).toBe('2024-05-20 08:35:00 UTC');
  expect(await text(page, `${tags} tr[data-tag="docker"] [data-cell="created"]`)).toBe('2024-05-10 16:50:00 UTC');

  // A tag opens its view; an index's platform opens the platform's manifest.
  await clickLink(page, `${tags} table.tags tbody`, 'latest');
  await expect.poll(() => text(page, `${VIEW} [data-view="index"] h2`)).toBe('hello:latest');
  const rows = `${VIEW} table.platforms tbody tr`;
  // Read by the tag list for their sizes and dates, both platforms are stored already.
  await expect.poll(() => texts(page, `${rows} th a`)).toEqual(['linux/amd64', 'linux/arm64/v8']);
  expect(await count(page, `${rows} th .offline-mark`)).toBe(2);
  await expect.poll(() => text(page, `${rows}:nth-child(1) [data-cell="size"]`)).toBe('27 KiB');
  await clickLink(page, rows, 'linux/arm64/v8');
  const manifest = `${VIEW} [data-view="manifest"]`;
  await expect.poll(() => text(page, `${manifest} h2`)).toBe(`hello@${ARM.digest}`);
  expect(await text(page, `${manifest} .breadcrumb`)).toBe('Platform linux/arm64/v8 of hello:latest');
  expect(await count(page, `${manifest} .layers tbody tr`)).toBe(3);

  // Back through the history to the tags and the catalog.
  await page.goBack();
  await expect.poll(() => text(page, `${VIEW} [data-view="index"] h2`)).toBe('hello:latest');
  await page.goBack();
  await expect.poll(() => text(page, `${tags} h2`)).toBe('Tags of hello');
  await page.goBack();
  await expect.poll(() => visible(page, `${VIEW} [data-view="catalog"]`)).toBe(true);
  // The details were loaded once: the manifests of a tag asked for again come from regcache.
  expect(inspector.log.filter((l) => l === 'GET /v2/library/hello/manifests/oci')).toHaveLength(1);
});

test('the offline library: viewed tags and platforms marked, and shown and listed with the registry offline', async ({
  tab: page,
  inspector,
}) => {
  await openInspector(page, inspector.url, '?ref=hello');
  await clickLink(page, `${VIEW} table.platforms tbody`, 'linux/amd64');
  await expect.poll(() => visible(page, `${VIEW} [data-view="manifest"]`)).toBe(true);
  await page.goBack();
  // Opened platforms are marked as stored; arm64 was read for its size and date, so it is too.
  await expect.poll(() => visible(page, `tr[data-digest="${AMD.digest}"] .offline-mark`)).toBe(true);
  await expect.poll(() => visible(page, `tr[data-digest="${ARM.digest}"] .offline-mark`)).toBe(true);
  await openInspector(page, inspector.url, '?ref=hello:oci');
  await expect.poll(() => text(page, `${VIEW} [data-view="manifest"] h2`)).toBe('hello:oci');

  // Tags stored are marked in the tag list.
  await openInspector(page, inspector.url, '?browse=hello');
  await expect.poll(() => visible(page, 'tr[data-tag="oci"] .offline-mark')).toBe(true);
  await expect.poll(() => visible(page, 'tr[data-tag="latest"] .offline-mark')).toBe(true);

  // Offline: the stored tag and platform still open, marked as stored.
  inspector.offline(true);
  await page.goto(`${inspector.url}/inspector.html?ref=hello`);
  await expect.poll(() => text(page, `${VIEW} [data-view="index"] h2`)).toBe('hello:latest');
  await expect.poll(() => visible(page, `tr[data-digest="${AMD.digest}"] .offline-mark`)).toBe(true);
  await page.goto(`${inspector.url}/inspector.html?ref=${encodeURIComponent(`hello@${AMD.digest}`)}`);
  await expect.poll(() => text(page, `${VIEW} [data-view="manifest"] h2`)).toBe(`hello@${AMD.digest}`);
  expect(await count(page, `${VIEW} [data-view="manifest"] .layers tbody tr`)).toBe(3);
  await page.reload();
  await expect.poll(() => text(page, `${VIEW} [data-view="manifest"] h2`)).toBe(`hello@${AMD.digest}`);
  await expect.poll(() => count(page, `${VIEW} [data-view="manifest"] .layers tbody tr`)).toBe(3);

  // The browser lists what is stored, with the digests and their expiry.
  await page.goto(`${inspector.url}/inspector.html?browse=hello`);
  await expect.poll(() => visible(page, '[data-offline-listing]')).toBe(true);
  await expect.poll(() => texts(page, 'table.tags tbody th a')).toEqual(['docker', 'latest', 'oci']);
  await expect.poll(() => count(page, '.stored-digests li')).toBeGreaterThan(0);
  expect(await attribute(page, '.stored-digests li .offline-mark', 'title')).toMatch(/opens offline for 6d /);
  await clickLink(page, '.stored-digests', AMD.digest);
  await expect.poll(() => text(page, `${VIEW} [data-view="manifest"] h2`)).toBe(`hello@${AMD.digest}`);
  await page.goto(`${inspector.url}/inspector.html?browse=`);
  await expect.poll(() => texts(page, '.repositories li')).toEqual(['library/hello']);
});

test('compare: two tags share one layer, the rest unique; configs side by side', async ({ tab: page, inspector }) => {
  await openInspector(page, inspector.url, '?ref=hello:oci&compare=hello:docker');
  const view = '[data-view="compare"]';
  await expect.poll(() => text(page, `${view} h2`)).toBe('hello:oci compared with hello:docker');
  await expect
    .poll(() => text(page, `${view} [data-layer-summary]`))
    .toBe('1 layer shared (187 B), 2 only in hello:oci (25 KiB), 2 only in hello:docker (25 KiB).');
  expect(await count(page, `${view} .compare-layer-table tbody tr[data-side="shared"]`)).toBe(1);
  expect(await attribute(page, `${view} tr[data-field="entrypoint"]`, 'data-differs')).toBe('false');
  expect(await attribute(page, `${view} tr[data-field="created"]`, 'data-differs')).toBe('true');
  expect(await text(page, `${view} tr[data-field="env"] td`)).toContain('GREETING=world');
  expect(await count(page, `${view} tr[data-field="history"] td:first-of-type li`)).toBe(8);

  // A platform against an index: the index side picks linux/amd64, nothing shared with arm64.
  await openInspector(page, inspector.url, `?ref=${encodeURIComponent(`hello@${ARM.digest}`)}&compare=hello`);
  await expect.poll(() => texts(page, `${view} .compared li`)).toHaveLength(2);
  expect((await texts(page, `${view} .compared li`))[1]).toContain('(linux/amd64)');
  await expect.poll(() => text(page, `${view} [data-layer-summary]`)).toMatch(/^0 layers shared \(0 B\), 3 only in /);
});
