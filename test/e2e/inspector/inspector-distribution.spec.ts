// The inspector's main flow once more, against the real distribution registry (behind
// the test bed's counting proxy), with the built inspector served from the page origin
// that the registry's CORS configuration allows.
import { OCI_CONFIG, OCI_MANIFEST, pushBlob, pushImage, putManifest } from '../../servers/images.js';
import { expect, test, uniqueRepo } from '../support/fixtures.js';
import { badgeOf, waitReady } from './fixtures.js';

test('distribution: index, platforms, a platform’s layers and history; miss, then hit, and a tag served at once while it is re-checked', async ({
  context,
  env,
}) => {
  const repo = uniqueRepo('inspector');
  const image = await pushImage(env.registry.url, repo, 'v1', 'oci-index');
  const arm = image.children.find((c) => c.platform?.architecture === 'arm64')!;
  const page = await context.newPage();
  await page.goto(`${env.pageOrigin}/inspector.html?upstream=${encodeURIComponent(env.proxy.url)}`);
  await waitReady(page);
  await expect(page.locator('#upstream-label')).toHaveText(new URL(env.proxy.url).host);

  await page.getByLabel('Image reference').fill(`${repo}:v1`);
  await page.getByLabel('Image reference').press('Enter');
  const view = page.locator('#view');
  await expect(view.locator('[data-view="index"] h2')).toHaveText(`${repo}:v1`);
  await expect(view.locator('table.platforms tbody th a')).toHaveText(['linux/amd64', 'linux/arm64/v8']);
  await expect(badgeOf(page)).toHaveAttribute('data-badge', 'miss');
  // The page keeps the upstream in its links, so they can be shared.
  const query = new URL(page.url()).searchParams;
  expect([query.get('upstream'), query.get('ref')]).toEqual([env.proxy.url, `${repo}:v1`]);

  // The index read each platform's manifest and config for its size and date (both stored).
  await expect(page.locator('table.platforms [data-cell="created"]').last()).not.toBeEmpty();
  await view.getByRole('link', { name: 'linux/arm64/v8' }).click();
  const manifest = view.locator('[data-view="manifest"]');
  await expect(manifest.locator('h2')).toHaveText(`${repo}@${arm.digest}`);
  await expect(manifest.locator('.layers tbody tr')).toHaveCount(2);
  await expect(manifest.locator('[data-config-source]')).toHaveAttribute('data-config-source', 'offline-store');
  await expect(manifest.locator('[data-field="platform"]')).toHaveText('linux/arm64/v8');
  await expect(manifest.locator('[data-history-layer]')).toHaveText([/^#1 · /, /^#2 · /, 'empty layer']);
  await expect(manifest.locator('table.history tbody tr').nth(1)).toContainText('COPY file:data in /app');
  await expect(badgeOf(page)).toHaveAttribute('data-badge', 'hit');

  await page.reload();
  await expect(manifest.locator('h2')).toHaveText(`${repo}@${arm.digest}`);
  await expect(badgeOf(page)).toHaveAttribute('data-badge', 'hit');
  await expect(manifest.locator('[data-config-source]')).toHaveAttribute('data-config-source', 'offline-store');
  // The digest was fetched from upstream once, and the config blob once.
  expect(env.proxy.count({ method: 'GET', path: `/v2/${repo}/manifests/${arm.digest}` })).toBe(1);
  expect(env.proxy.count({ method: 'GET', path: `/v2/${repo}/blobs/${arm.blobs[0]!.digest}` })).toBe(1);

  // The inspector's worker has swr: a tag seen before is shown at once, checked behind.
  const heads = () => env.proxy.count({ method: 'HEAD', path: `/v2/${repo}/manifests/v1` });
  await page.goBack();
  await expect(badgeOf(page)).toHaveAttribute('data-badge', 'refreshing');
  // The re-check goes out once the worker is quiet; a reload while it waits would share it.
  await expect.poll(heads).toBe(1);
  await page.reload();
  await expect(view.locator('[data-view="index"] h2')).toHaveText(`${repo}:v1`);
  await expect(badgeOf(page)).toHaveAttribute('data-badge', 'refreshing');
  // Going back and reloading each showed the tag again: two re-checks, no second pull.
  await expect.poll(heads).toBe(2);
  expect(env.proxy.count({ method: 'GET', path: `/v2/${repo}/manifests/v1` })).toBe(1);
});

test('a tag that moved while it was shown: the view says so, and shows the new manifest on request', async ({ context, env }) => {
  const repo = uniqueRepo('inspector/moved');
  const v1 = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await context.newPage();
  await page.goto(`${env.pageOrigin}/inspector.html?upstream=${encodeURIComponent(env.proxy.url)}&ref=${encodeURIComponent(`${repo}:v1`)}`);
  await waitReady(page);
  const view = page.locator('#view');
  // The view shows a digest shortened: its algorithm and first 12 hex digits.
  const short = (digest: string) => digest.slice(0, 'sha256:'.length + 12);
  await expect(view.locator('[data-field="digest"]')).toContainText(short(v1.digest));
  await expect(badgeOf(page)).toHaveAttribute('data-badge', 'miss');

  const v2 = await pushImage(env.registry.url, repo, 'v1', 'oci', { salt: 'moved' });
  await page.reload();
  // Shown at once from the cache, with a badge that says the view may be refreshed...
  await expect(badgeOf(page)).toHaveAttribute('data-badge', 'refreshing');
  await expect(view.locator('[data-field="digest"]')).toContainText(short(v1.digest));
  // ...and when the background check finds the move, the view offers the new manifest.
  const notice = view.locator('.tag-moved');
  await expect(notice).toHaveAttribute('data-to', v2.digest);
  await expect(notice).toHaveAttribute('role', 'status');
  await notice.getByRole('button', { name: 'Show the new manifest' }).click();
  await expect(view.locator('[data-field="digest"]')).toContainText(short(v2.digest));
  await expect(view.locator('.tag-moved')).toHaveCount(0);
});

// The smallest image distribution takes: a config and no layers. 3 requests.
async function pushTiny(registry: string, repo: string, tags: string[]): Promise<void> {
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', created: '2024-03-04T05:06:07Z', rootfs: { type: 'layers', diff_ids: [] } }),
  );
  const digest = await pushBlob(registry, repo, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest, size: config.length },
      layers: [],
    }),
  );
  for (const tag of tags) await putManifest(registry, repo, tag, OCI_MANIFEST, manifest);
}

test('distribution: the browser pages through more than 100 repositories and lists more than 100 tags', async ({ context, env }) => {
  test.setTimeout(180_000);
  const prefix = uniqueRepo('browse');
  const repos = Array.from({ length: 105 }, (_, i) => `${prefix}/r${String(i).padStart(3, '0')}`);
  for (const repo of repos) await pushTiny(env.registry.url, repo, ['v1']);
  const tags = Array.from({ length: 120 }, (_, i) => `t${i}`);
  await pushTiny(env.registry.url, repos[0]!, tags);
  env.proxy.reset();

  const page = await context.newPage();
  await page.goto(`${env.pageOrigin}/inspector.html?upstream=${encodeURIComponent(env.proxy.url)}&browse=`);
  await waitReady(page);
  const view = page.locator('#view');
  await view.getByLabel('Filter repositories').fill(prefix);
  await expect(view.locator('.repositories li')).toHaveCount(105);
  await expect(view.locator('.filter-count')).toHaveText(/^105( of \d+)? repositories$/);
  // distribution pages its catalog by 100 names: at least two pages were read, by Link.
  const catalogPages = env.proxy.log.filter((e) => e.path.startsWith('/v2/_catalog'));
  expect(catalogPages.length).toBeGreaterThanOrEqual(2);
  expect(catalogPages[1]!.path).toMatch(/^\/v2\/_catalog\?last=.+&n=100$/);

  await view.getByRole('link', { name: repos[0]!, exact: true }).click();
  const rows = view.locator('table.tags tbody tr');
  // 2.8 sends every tag at once, whatever n says.
  await expect(rows).toHaveCount(121);
  await view.getByLabel('Filter tags').fill('t11');
  await expect(rows.locator('th a')).toHaveText(['t11', 't110', 't111', 't112', 't113', 't114', 't115', 't116', 't117', 't118', 't119']);
  await expect(view.locator('tr[data-tag="t11"] [data-cell="created"]')).toHaveText('2024-03-04 05:06:07 UTC');
  await expect(view.locator('tr[data-tag="t11"] [data-cell="platforms"]')).toHaveText('linux/amd64');
});
