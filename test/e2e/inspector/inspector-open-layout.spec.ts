// "Open an OCI layout…": the committed sample layout (what make-samples wrote, the layout
// the embedded registry serves) is picked as a directory and imported under a repository
// the registry does not have; with the origin offline its tags, platforms and configs open.
// A damaged copy (one manifest's bytes changed) is refused whole, with a message.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { badgeOf, expect, goOffline, LAYOUT_DIR, openInspector, samples, test } from './fixtures.js';

const S = samples();
const ARM = S.latest.children.find((c) => c.platform === 'linux/arm64/v8')!;

async function importLayout(page: Page, dir: string, repository: string) {
  await page.getByText('Open an OCI layout…').click();
  await page.getByLabel('Layout directory').setInputFiles(dir);
  await page.getByLabel('Repository').fill(repository);
  await page.getByRole('button', { name: 'Import' }).click();
}

const configCount = (page: Page) => page.evaluate(async () => (await (await caches.open('regcache-inspector-configs')).keys()).length);

test('a layout directory opened in the inspector: its tags, platforms and configs open offline', async ({ page, inspector }) => {
  await openInspector(page, inspector.url);
  await importLayout(page, LAYOUT_DIR, 'imported/hello');
  const imported = page.locator('[data-layout-imported]');
  await expect(imported).toContainText('Imported 5 manifests, 3 tags and');
  await expect(page.getByRole('link', { name: 'latest', exact: true })).toBeVisible();
  expect(await configCount(page)).toBeGreaterThanOrEqual(4);

  await goOffline(page, inspector);
  inspector.log.length = 0;
  await page.getByRole('link', { name: 'latest', exact: true }).click();
  const view = page.locator('#view');
  await expect(view.locator('[data-view="index"] h2')).toHaveText('imported/hello:latest');
  await expect(view.locator('table.platforms tbody tr th')).toHaveText([/^linux\/amd64\b/, /^linux\/arm64\/v8\b/]);
  // Both platforms were imported with the index: each carries the offline mark.
  await expect(view.locator('table.platforms tbody tr th').last()).toContainText('opens offline');
  await expect(badgeOf(page)).toHaveAttribute('data-badge', /^(hit|stale)$/);
  await view.getByRole('link', { name: 'linux/arm64/v8' }).click();
  const manifest = page.locator('[data-view="manifest"]');
  await expect(manifest.locator('h2')).toHaveText(`imported/hello@${ARM.digest}`);
  await expect(manifest.locator('[data-config-source]')).toHaveAttribute('data-config-source', 'offline-store');
  await expect(manifest.locator('table.history tbody tr')).toHaveCount(8);
  expect(inspector.log).toEqual([]);
});

test('a damaged layout (a manifest whose bytes do not match its digest) is refused whole, with a message', async ({ page, inspector }) => {
  const dir = await mkdtemp(join(tmpdir(), 'regcache-damaged-layout-'));
  try {
    const layout = join(dir, 'layout');
    await cp(LAYOUT_DIR, layout, { recursive: true });
    const victim = join(layout, 'blobs', 'sha256', S.oci.digest.slice('sha256:'.length));
    const bytes = await readFile(victim);
    bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 0x01;
    await writeFile(victim, bytes);

    await openInspector(page, inspector.url);
    await importLayout(page, layout, 'imported/damaged');
    const error = page.locator('[data-layout-error]');
    await expect(error).toContainText('This layout was not imported');
    await expect(error).toContainText(S.oci.digest);
    await expect(error).toContainText('DIGEST_INVALID');
    await expect(page.locator('[data-layout-imported]')).toHaveCount(0);
    expect(await configCount(page)).toBe(0);

    // Not even the intact index was stored: offline, it cannot be opened.
    await goOffline(page, inspector);
    await page.getByLabel('Image reference').fill('imported/damaged:latest');
    await page.getByRole('button', { name: 'Inspect' }).click();
    await expect(page.locator('#view [role="alert"], #view .problem').first()).toBeVisible();
    await expect(page.locator('[data-view="index"]')).toHaveCount(0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a layout tar (./oci-layout, ./index.json, … as tar writes them) opens offline too', async ({ page, inspector }) => {
  const dir = await mkdtemp(join(tmpdir(), 'regcache-layout-tar-'));
  try {
    const archive = join(dir, 'layout.tar');
    await new Promise<void>((resolve, reject) =>
      execFile('tar', ['-C', LAYOUT_DIR, '-cf', archive, '.'], (error) => (error ? reject(error) : resolve())),
    );
    await openInspector(page, inspector.url);
    await page.getByText('Open an OCI layout…').click();
    await page.getByLabel('or layout tar').setInputFiles(archive);
    await page.getByLabel('Repository').fill('imported/from-tar');
    await page.getByRole('button', { name: 'Import' }).click();
    await expect(page.locator('[data-layout-imported]')).toContainText('Imported 5 manifests, 3 tags and');

    await goOffline(page, inspector);
    await page.getByRole('link', { name: 'oci', exact: true }).click();
    const manifest = page.locator('[data-view="manifest"]');
    await expect(manifest.locator('h2')).toHaveText('imported/from-tar:oci');
    await expect(manifest.locator('[data-config-source]')).toHaveAttribute('data-config-source', 'offline-store');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
