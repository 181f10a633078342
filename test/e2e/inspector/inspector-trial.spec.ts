// What a new user's first hour with the inspector found (issue 17, item 5): each test here
// failed before its fix.
import { createReadStream, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { listenLocal } from '../../servers/listen.js';
import { DIST_DIR } from '../support/fixtures.js';
import { badgeOf, expect, goOffline, goOnline, openInspector, samples, test, waitReady } from './fixtures.js';

const S = samples();
const ARM = S.latest.children.find((c) => c.platform === 'linux/arm64/v8')!;

test('the root address opens offline, as the inspector page does', async ({ page, inspector }) => {
  await page.goto(`${inspector.url}/`);
  await expect(page).toHaveURL(`${inspector.url}/inspector.html`);
  await waitReady(page);
  await goOffline(page, inspector);
  await page.goto(`${inspector.url}/`);
  await waitReady(page);
  await expect(page.locator('#online')).toHaveText('Offline');
  await goOnline(page, inspector);
});

for (const upstream of ['nonsense', 'ftp://registry.example', 'javascript:alert(1)', 'http://', 'https://user:pw@registry.example']) {
  test(`?upstream=${upstream} is told as a clear error, and nothing is asked`, async ({ page, inspector }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${inspector.url}/inspector.html?upstream=${encodeURIComponent(upstream)}&ref=hello`);
    await waitReady(page);
    const problem = page.locator('#view [data-problem="upstream"]');
    await expect(problem).toContainText('is not a registry address');
    await expect(problem).toContainText(upstream.includes('pw@') ? 'user name or password' : 'http(s)');
    await expect(page.getByRole('button', { name: 'Inspect' })).toBeDisabled();
    expect(errors).toEqual([]);
    expect(inspector.log.filter((l) => l.includes('/v2/'))).toEqual([]);
  });
}

test('on a plain static server, the page claims no embedded registry and no proxy mode', async ({ page }) => {
  const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = resolve(DIST_DIR, `.${path}`);
    if (!file.startsWith(DIST_DIR + sep) || !existsSync(file) || path.endsWith('/')) {
      res.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>Not found</h1>');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  const { url, stop } = await listenLocal(server);
  try {
    await page.goto(`${url}/inspector.html`);
    await waitReady(page);
    await expect(page.locator('#upstream-label')).not.toContainText('embedded');
    await expect(page.locator('#upstream-label')).toHaveText(/this page’s own origin/);
    await expect(page.locator('#samples')).toBeHidden();
    // A registry on another origin that does not answer: no word of a dev server's proxy.
    await page.getByLabel('Image reference').fill('127.0.0.1:9/app:1');
    await page.getByLabel('Image reference').press('Enter');
    const problem = page.locator('#view [data-problem="network"]');
    await expect(problem).toContainText('CORS');
    await expect(problem).not.toContainText('REGCACHE_PROXY');
    await expect(problem).not.toContainText('proxy');
  } finally {
    await stop();
  }
});

test('the header link keeps ?upstream=', async ({ page, inspector }) => {
  await openInspector(page, inspector.url, `?upstream=${encodeURIComponent(inspector.url)}`);
  await expect(page.locator('header.top h1 a')).toHaveAttribute('href', `./inspector.html?upstream=${encodeURIComponent(inspector.url)}`);
});

test('at 390 px nothing is wider than the screen: long digests in headings, the index caption', async ({ page, inspector }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const widths = () =>
    page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      headings: [...document.querySelectorAll('#view h2')].map((h) => h.scrollWidth - h.clientWidth),
    }));
  // A problem's heading holds a whole digest.
  await openInspector(page, inspector.url, `?ref=${encodeURIComponent(`hello@sha256:${'0'.repeat(64)}`)}`);
  await expect(page.locator('#view [data-problem]')).toBeVisible();
  expect(await widths()).toEqual({ page: 390, headings: [0] });
  await goOffline(page, inspector);
  await page.getByLabel('Image reference').fill(`hello@sha256:${'1'.repeat(64)}`);
  await page.getByLabel('Image reference').press('Enter');
  await expect(page.locator('#view [data-problem="offline"]')).toBeVisible();
  expect(await widths()).toEqual({ page: 390, headings: [0] });
  await goOnline(page, inspector);

  // The index caption is as wide as the table, not a column beside “Fetch again”.
  await openInspector(page, inspector.url, '?ref=hello');
  const caption = page.locator('table.platforms caption');
  await expect(caption).toBeVisible();
  const [captionBox, tableBox] = [await caption.boundingBox(), await page.locator('table.platforms').boundingBox()];
  expect(captionBox!.width).toBeGreaterThan(tableBox!.width * 0.9);
  expect((await widths()).page).toBe(390);
});

test('dark mode: the Inspect button has enough contrast', async ({ page, inspector }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await openInspector(page, inspector.url);
  const results = await new AxeBuilder({ page }).include('#lookup').withRules(['color-contrast']).analyze();
  expect(results.violations.flatMap((v) => v.nodes.map((n) => n.target.join(' ')))).toEqual([]);
});

test('back to the welcome screen clears the field', async ({ page, inspector }) => {
  await openInspector(page, inspector.url);
  const input = page.getByLabel('Image reference');
  await input.fill('hello:oci');
  await input.press('Enter');
  await expect(page.locator('[data-view="manifest"]')).toBeVisible();
  await page.goBack();
  await expect(page.locator('.welcome')).toBeVisible();
  await expect(input).toHaveValue('');
  await page.goForward();
  await expect(input).toHaveValue('hello:oci');
});

test('the too-long message counts what was typed, not the hidden library/ prefix', async ({ page, inspector }) => {
  await openInspector(page, inspector.url);
  const input = page.getByLabel('Image reference');
  await input.fill('a'.repeat(5000));
  await input.press('Enter');
  await expect(page.locator('#ref-error')).toContainText('5000 characters');
  await expect(page.locator('#ref-error')).not.toContainText('5008');
  await input.fill(`registry.example/${'b'.repeat(300)}`);
  await input.press('Enter');
  await expect(page.locator('#ref-error')).toContainText('317 characters');
});

test('after a purge, both badges (view and panel) say “before purge”', async ({ page, inspector }) => {
  await openInspector(page, inspector.url, '?ref=hello:oci');
  await expect(badgeOf(page)).toHaveAttribute('data-badge', 'miss');
  await page.locator('#cache').getByRole('button', { name: 'Purge tag library/hello:oci' }).click();
  await expect(badgeOf(page)).toHaveClass(/outdated/);
  await expect(page.locator('#cache .answers .badge')).toHaveClass(/outdated/);
});

test('a shortened digest keeps its “…” on its line', async ({ page, inspector }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await openInspector(page, inspector.url, `?ref=${encodeURIComponent(`hello@${ARM.digest}`)}`);
  const names = page.locator('#cache .record-name code');
  await expect(names).not.toHaveCount(0);
  // The “…” and the character before it are on one line.
  const split = await names.evaluateAll(
    (codes) =>
      codes.filter((code) => {
        const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
        const nodes: Text[] = [];
        while (walker.nextNode()) nodes.push(walker.currentNode as Text);
        const last = nodes.at(-1)!;
        if (!last.data.endsWith('…')) return false;
        const range = document.createRange();
        range.setStart(last, last.data.length - 2);
        range.setEnd(last, last.data.length);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        return tops.size > 1;
      }).length,
  );
  expect(split).toBe(0);
});

test('Clear all asks first, and the statistics start again', async ({ page, inspector }) => {
  await openInspector(page, inspector.url, '?ref=hello:oci');
  const panel = page.locator('#cache');
  await expect(panel.locator('[data-stat="misses"]')).toHaveText('1');
  await panel.getByRole('button', { name: 'Clear all' }).click();
  // Asked, not done: cancel keeps everything.
  const confirm = panel.locator('[data-confirm="clear-all"]');
  await expect(confirm).toContainText('2 records and 1 config');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(panel.locator('.record')).toHaveCount(2);
  await panel.getByRole('button', { name: 'Clear all' }).click();
  await confirm.getByRole('button', { name: 'Clear everything' }).click();
  await expect(panel.locator('[role="status"]')).toHaveText(/Cleared 2 records and 1 config/);
  await expect(panel.locator('[data-stat="misses"]')).toHaveText('0');
  await expect(panel.locator('[data-stat="requests"]')).toHaveText('0');
  // Counting goes on from there, also after a reload.
  await page.getByRole('button', { name: 'Fetch again' }).click();
  await expect(panel.locator('[data-stat="misses"]')).toHaveText('1');
  await page.reload();
  await expect(panel.locator('[data-stat="misses"]')).toHaveText('1');
});
