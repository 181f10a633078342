// The inspector against its embedded sample registry, as `npm start` serves it.
import { badgeOf, expect, goOffline, goOnline, openInspector, samples, saveScreenshot, test } from './fixtures.js';

const S = samples();
const ARM = S.latest.children.find((c) => c.platform === 'linux/arm64/v8')!;

test('enter the index, see both platforms, open one: layers and config history; miss, then hit after a reload', async ({
  page,
  inspector,
}) => {
  await openInspector(page, inspector.url);
  // Keyboard only: focus the field, type, Enter.
  await page.getByLabel('Image reference').focus();
  await page.keyboard.type('hello');
  await page.keyboard.press('Enter');

  const view = page.locator('#view');
  await expect(view.locator('[data-view="index"] h2')).toHaveText('hello:latest');
  await expect(page).toHaveURL(/\?ref=hello%3Alatest$/);
  const rows = view.locator('table.platforms tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.locator('th a')).toHaveText(['linux/amd64', 'linux/arm64/v8']);
  await expect(rows.nth(1)).toContainText('856 B');
  await expect(badgeOf(page)).toHaveAttribute('data-badge', 'miss');
  await expect(badgeOf(page)).toHaveAttribute('data-cache-status', /^regcache; fwd=miss; stored/);

  // The index read each platform's manifest and config for its size and date (both stored).
  await expect(page.locator('table.platforms [data-cell="created"]').last()).not.toBeEmpty();
  // Tab to the arm64 platform link and open it.
  const armLink = rows.nth(1).getByRole('link', { name: 'linux/arm64/v8' });
  await armLink.focus();
  await page.keyboard.press('Enter');
  const manifest = view.locator('[data-view="manifest"]');
  await expect(manifest.locator('h2')).toHaveText(`hello@${ARM.digest}`);
  await expect(manifest.locator('.breadcrumb')).toHaveText('Platform linux/arm64/v8 of hello:latest');
  await expect(manifest.locator('[data-field="media-type"]')).toContainText('application/vnd.oci.image.manifest.v1+json');
  await expect(manifest.locator('[data-field="digest"] button')).toHaveAttribute('data-copy', ARM.digest);
  await expect(manifest.locator('.layers tbody tr')).toHaveCount(3);
  await expect(manifest.locator('.bars li')).toHaveCount(3);
  await expect(badgeOf(page)).toHaveAttribute('data-badge', 'hit');

  const config = manifest.locator('section.config');
  await expect(config.locator('[data-config-source]')).toHaveAttribute('data-config-source', 'offline-store');
  await expect(config.locator('[data-field="platform"]')).toHaveText('linux/arm64/v8');
  await expect(config.locator('[data-field="created"]')).toHaveText('2024-06-01 12:05:00 UTC');
  await expect(config.locator('[data-field="entrypoint"]')).toHaveText('["/usr/local/bin/hello"]');
  await expect(config.locator('[data-field="cmd"]')).toHaveText('["--color","auto"]');
  await expect(config.locator('.env li')).toHaveText([
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'GREETING=world',
  ]);
  await expect(config.locator('.labels dt').first()).toHaveText('org.opencontainers.image.title');
  // History lined up with the layers: steps 1, 3 and 4 made layers 1, 2 and 3.
  const history = config.locator('table.history tbody tr');
  await expect(history).toHaveCount(8);
  await expect(config.locator('[data-history-layer]')).toHaveText([
    /^#1 · /,
    'empty layer',
    /^#2 · /,
    /^#3 · /,
    'empty layer',
    'empty layer',
    'empty layer',
    'empty layer',
  ]);
  await expect(history.nth(3)).toContainText('COPY file:hello');

  // A reload asks again: a digest is served from the store.
  await page.reload();
  await expect(manifest.locator('h2')).toHaveText(`hello@${ARM.digest}`);
  await expect(badgeOf(page)).toHaveAttribute('data-badge', 'hit');
  // Back to the index, and a reload: the tag is re-checked and confirmed.
  await page.goBack();
  await expect(view.locator('[data-view="index"] h2')).toHaveText('hello:latest');
  await page.reload();
  await expect(view.locator('[data-view="index"] h2')).toHaveText('hello:latest');
  await expect(badgeOf(page)).toHaveAttribute('data-badge', /^(hit|revalidated|refreshing)$/);
  await page.goForward();
  await expect(manifest.locator('h2')).toHaveText(`hello@${ARM.digest}`);
});

test('offline: a reload renders the views seen before, from the cache, and says so', async ({ page, inspector }) => {
  await openInspector(page, inspector.url, '?ref=hello');
  await expect(badgeOf(page)).toHaveAttribute('data-badge', 'miss');
  // The index read each platform's manifest and config for its size and date (both stored).
  await expect(page.locator('table.platforms [data-cell="created"]').last()).not.toBeEmpty();
  await page.locator('#view').getByRole('link', { name: 'linux/arm64/v8' }).click();
  const manifest = page.locator('[data-view="manifest"]');
  await expect(manifest.locator('[data-config-source]')).toHaveAttribute('data-config-source', 'offline-store');

  await goOffline(page, inspector);
  inspector.log.length = 0;
  await page.reload();
  await expect(page.locator('#online')).toHaveText('Offline');
  await expect(manifest.locator('h2')).toHaveText(`hello@${ARM.digest}`);
  await expect(manifest.locator('.layers tbody tr')).toHaveCount(3);
  await expect(badgeOf(page)).toHaveAttribute('data-badge', 'hit');
  // The config comes from the page's own store; the registry is not asked.
  await expect(manifest.locator('[data-config-source]')).toHaveAttribute('data-config-source', 'offline-store');
  await expect(manifest.locator('table.history tbody tr')).toHaveCount(8);

  await page.goBack();
  await expect(page.locator('[data-view="index"] h2')).toHaveText('hello:latest');
  await page.reload();
  await expect(page.locator('[data-view="index"] table.platforms tbody tr')).toHaveCount(2);
  await expect(badgeOf(page)).toHaveAttribute('data-badge', 'stale');
  await expect(badgeOf(page)).toHaveAttribute('title', /stored copy was used/);
  // Nothing reached the server while it was offline.
  expect(inspector.log).toEqual([]);

  await goOnline(page, inspector);
  await expect(page.locator('#online')).toHaveText('Online');
});

test('a deep link opens straight onto its manifest', async ({ page, inspector }) => {
  await openInspector(page, inspector.url, `?ref=${encodeURIComponent(`hello@${ARM.digest}`)}`);
  const manifest = page.locator('[data-view="manifest"]');
  await expect(manifest.locator('h2')).toHaveText(`hello@${ARM.digest}`);
  await expect(manifest.locator('[data-field="platform"]')).toHaveText('linux/arm64/v8');
  await expect(page.getByLabel('Image reference')).toHaveValue(`hello@${ARM.digest}`);
  // The copy buttons copy whole digests.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: inspector.url });
  await manifest.locator('[data-field="digest"]').getByRole('button').click();
  await expect(manifest.locator('[data-field="digest"] .copy-status')).toHaveText('copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(ARM.digest);
  // No index was fetched on the way. The registry is on the page's own origin, where cookies
  // could ride along, so the miss also asked without credentials whether the manifest is
  // public (docs/credentials.md): a HEAD, not a pull.
  expect(inspector.log.filter((l) => l.includes('/manifests/'))).toEqual([
    `GET /v2/library/hello/manifests/${ARM.digest}`,
    `HEAD /v2/library/hello/manifests/${ARM.digest}`,
  ]);

  await openInspector(page, inspector.url, '?ref=hello:docker');
  await expect(manifest.locator('[data-field="media-type"]')).toContainText('application/vnd.docker.distribution.manifest.v2+json');
  await expect(manifest.locator('[data-field="total-size"]')).toContainText('3 layers');
});

test('a reference never seen, asked for offline, gets an offline message', async ({ page, inspector }) => {
  await openInspector(page, inspector.url);
  await goOffline(page, inspector);
  await page.getByLabel('Image reference').fill('hello:oci');
  await page.getByRole('button', { name: 'Inspect' }).click();
  const problem = page.locator('#view [data-problem]');
  await expect(problem).toHaveAttribute('data-problem', 'offline');
  await expect(problem.locator('h2')).toHaveText('hello:oci is not available offline');
  await expect(problem).toContainText('You are offline, and library/hello tag “oci” is not in the cache');
  await expect(problem).not.toContainText('TypeError');
});

test('purge one record, then clear all: the next answers are misses', async ({ page, inspector }) => {
  await openInspector(page, inspector.url, '?ref=hello:oci');
  const panel = page.locator('#cache');
  await expect(badgeOf(page)).toHaveAttribute('data-badge', 'miss');
  const records = panel.locator('.record');
  // The tag and the manifest it points to.
  await expect(records).toHaveCount(2);
  await expect(panel.locator('.record-tag .countdown')).toHaveText(/^6d 23:\d\d:\d\d$/);
  await expect(panel.locator('[data-stat="misses"]')).toHaveText('1');

  await page.getByRole('button', { name: 'Fetch again' }).click();
  // Within the inspector's swr: shown at once, re-checked behind.
  await expect(badgeOf(page)).toHaveAttribute('data-badge', 'refreshing');

  await panel.getByRole('button', { name: 'Purge tag library/hello:oci' }).click();
  await expect(panel.locator('[role="status"]')).toHaveText(/Purged 1 record/);
  await expect(records).toHaveCount(1);
  await expect(panel.locator('.record')).toHaveAttribute('data-kind', 'manifest');
  await page.getByRole('button', { name: 'Fetch again' }).click();
  await expect(badgeOf(page)).toHaveAttribute('data-badge', 'miss');
  await expect(records).toHaveCount(2);

  await panel.getByRole('button', { name: 'Clear all' }).click();
  await panel.getByRole('button', { name: 'Clear everything' }).click();
  await expect(panel.locator('[role="status"]')).toHaveText(/Cleared 2 records and 1 config/);
  await expect(panel.locator('[data-records="0"]')).toHaveText('The cache is empty.');
  await page.getByRole('button', { name: 'Fetch again' }).click();
  await expect(badgeOf(page)).toHaveAttribute('data-badge', 'miss');
  await expect(page.locator('[data-config-source]')).toHaveAttribute('data-config-source', 'registry');
});

test('a bad reference gets an inline message that says what is wrong', async ({ page, inspector }) => {
  await openInspector(page, inspector.url);
  const input = page.getByLabel('Image reference');
  const error = page.locator('#ref-error');
  await input.fill('Hello:latest');
  await input.press('Enter');
  await expect(error).toHaveText('That is not an image reference: repository names are lower-case: “Hello” is not.');
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  await expect(page).toHaveURL(`${inspector.url}/inspector.html`);
  await input.fill(`hello@sha256:abc`);
  await input.press('Enter');
  await expect(error).toHaveText(/a sha256 digest has 64 hex digits, this one has 3/);
  await input.fill('hello');
  await expect(error).toBeHidden();
  await expect(input).not.toHaveAttribute('aria-invalid', 'true');
});

test('registry errors read as sentences', async ({ page, inspector }) => {
  await openInspector(page, inspector.url, '?ref=hello:nope');
  const problem = page.locator('#view [data-problem]');
  await expect(problem).toHaveAttribute('data-problem', 'not-found');
  await expect(problem.locator('p')).toHaveText(
    'library/hello on the embedded sample registry has no tag “nope” (or the repository does not exist).',
  );
  await page.getByLabel('Image reference').fill(`hello@sha256:${'0'.repeat(64)}`);
  await page.getByLabel('Image reference').press('Enter');
  await expect(problem.locator('p')).toHaveText('library/hello on the embedded sample registry has no manifest sha256:000000000000….');

  // A registry that is down, on another origin.
  await page.getByLabel('Image reference').fill('127.0.0.1:9/app:1');
  await page.getByLabel('Image reference').press('Enter');
  await expect(problem).toHaveAttribute('data-problem', 'network');
  await expect(problem.locator('p')).toHaveText(
    /^Could not reach 127\.0\.0\.1:9 for app tag “1”\. The registry may be down, or it may not allow requests from this page/,
  );
});

test('screenshots at desktop and phone width', async ({ page, inspector }, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await openInspector(page, inspector.url, '?ref=hello');
  await page.locator('#view').getByRole('link', { name: 'linux/arm64/v8' }).click();
  await expect(page.locator('[data-config-source]')).toBeVisible();
  await saveScreenshot(page, testInfo, 'inspector-desktop', 'inspector.png');

  await page.setViewportSize({ width: 390, height: 844 });
  // Nothing is wider than the screen: tables scroll inside their own boxes.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBe(0);
  await saveScreenshot(page, testInfo, 'inspector-phone', 'inspector-phone.png');
});
