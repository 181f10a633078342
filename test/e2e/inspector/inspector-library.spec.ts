// The numbers people look for first (issue 17, item 2) and the offline library (item 3):
// each platform's size and date, pull commands, records as links, offline marks, the
// references viewed lately, and the browser listing what is stored when offline.
import { expect, goOffline, goOnline, openInspector, samples, test } from './fixtures.js';

const S = samples();

test('an index shows each platform’s size and date, and pull commands with the registry’s host', async ({ page, inspector }) => {
  await openInspector(page, inspector.url, '?ref=hello');
  const host = new URL(inspector.url).host;
  const rows = page.locator('table.platforms tbody tr');
  await expect(rows.nth(0).locator('[data-cell="size"]')).toHaveText('27 KiB');
  await expect(rows.nth(1).locator('[data-cell="created"]')).toHaveText('2024-06-01 12:05:00 UTC');
  await expect(page.locator('[data-pull="tag"] code')).toHaveText(`docker pull ${host}/library/hello:latest`);
  await expect(page.locator('[data-pull="digest"] code')).toHaveText(`docker pull ${host}/library/hello@${S.latest.digest}`);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: inspector.url });
  await page.locator('[data-pull="tag"]').getByRole('button').click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`docker pull ${host}/library/hello:latest`);
  // A manifest opened by digest has only the digest's command.
  await page.getByRole('link', { name: 'linux/amd64' }).click();
  await expect(page.locator('[data-view="manifest"] [data-pull="digest"]')).toBeVisible();
  await expect(page.locator('[data-view="manifest"] [data-pull="tag"]')).toHaveCount(0);
});

test('the offline library: record links, offline marks, lately viewed, and stored listings offline', async ({ page, inspector }) => {
  await openInspector(page, inspector.url, '?ref=hello');
  const amd = S.latest.children.find((c) => c.platform === 'linux/amd64')!;
  // Opened platforms are marked as stored.
  await page.getByRole('link', { name: 'linux/amd64' }).click();
  await expect(page.locator('[data-view="manifest"]')).toBeVisible();
  await page.goBack();
  await expect(page.locator(`tr[data-digest="${amd.digest}"] .offline-mark`)).toBeVisible();
  // The arm64 manifest was read for its size and date, so it is stored too; purged, it is not.
  const arm = S.latest.children.find((c) => c.platform === 'linux/arm64/v8')!;
  await expect(page.locator(`tr[data-digest="${arm.digest}"] .offline-mark`)).toBeVisible();
  await page
    .locator('#cache')
    .getByRole('button', { name: `Purge manifest library/hello@${arm.digest}` })
    .click();
  await expect(page.locator('#cache [role="status"]')).toHaveText(/Purged/);
  await page.reload();
  await expect(page.locator(`tr[data-digest="${amd.digest}"] .offline-mark`)).toBeVisible();
  await expect(page.locator(`tr[data-digest="${arm.digest}"] [data-cell="created"]`)).toHaveText('2024-06-01 12:05:00 UTC');

  // Records in the panel are links.
  await page.locator('#cache .record-tag a').first().click();
  await expect(page.locator('[data-view="index"] h2')).toHaveText('hello:latest');

  // Lately viewed, on the welcome screen, after a reload too.
  await openInspector(page, inspector.url, '?ref=hello:oci');
  await expect(page.locator('[data-view="manifest"]')).toBeVisible();
  await openInspector(page, inspector.url);
  await expect(page.locator('.recent li')).toHaveText(['hello:oci', 'hello:latest', `hello@${amd.digest}`]);

  // Tags stored are marked in the tag list.
  await openInspector(page, inspector.url, '?browse=hello');
  await expect(page.locator('tr[data-tag="oci"] .offline-mark')).toBeVisible();
  await expect(page.locator('tr[data-tag="latest"] .offline-mark')).toBeVisible();

  // Offline: the browser lists what is stored, with the digests and their expiry.
  await goOffline(page, inspector);
  await page.reload();
  await expect(page.locator('[data-offline-listing]')).toBeVisible();
  await expect(page.locator('table.tags tbody th a')).toHaveText(
    ['docker', 'latest', 'oci'].filter((t) => t !== 'docker' || true).slice(0, 3),
  );
  await expect(page.locator('.stored-digests li')).not.toHaveCount(0);
  await expect(page.locator('.stored-digests li .offline-mark').first()).toHaveAttribute('title', /opens offline for 6d /);
  await page.locator('.stored-digests').getByRole('link', { name: amd.digest }).click();
  await expect(page.locator('[data-view="manifest"] h2')).toHaveText(`hello@${amd.digest}`);
  await page.goto(`${inspector.url}/inspector.html?browse=`);
  await expect(page.locator('.repositories li')).toHaveText(['library/hello']);
  await goOnline(page, inspector);
});
