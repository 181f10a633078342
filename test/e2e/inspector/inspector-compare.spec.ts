// Two tags or two platforms compared (issue 17, item 4): layers shared and unique with
// sizes, the configs side by side, deep-linkable as ?ref=…&compare=….
import { expect, openInspector, samples, test } from './fixtures.js';

const S = samples();
const ARM = S.latest.children.find((c) => c.platform === 'linux/arm64/v8')!;

test('two tags: one layer shared, the rest unique; configs side by side', async ({ page, inspector }) => {
  await openInspector(page, inspector.url, '?ref=hello:oci&compare=hello:docker');
  const view = page.locator('[data-view="compare"]');
  await expect(view.locator('h2')).toHaveText('hello:oci compared with hello:docker');
  await expect(view.locator('[data-layer-summary]')).toHaveText(
    '1 layer shared (187 B), 2 only in hello:oci (25 KiB), 2 only in hello:docker (25 KiB).',
  );
  await expect(view.locator('.compare-layer-table tbody tr[data-side="shared"]')).toHaveCount(1);
  await expect(view.locator('tr[data-field="entrypoint"]')).toHaveAttribute('data-differs', 'false');
  await expect(view.locator('tr[data-field="created"]')).toHaveAttribute('data-differs', 'true');
  await expect(view.locator('tr[data-field="env"] td').first()).toContainText('GREETING=world');
  await expect(view.locator('tr[data-field="history"] td').first().locator('li')).toHaveCount(8);
});

test('two platforms of an index, from the form under a view; back and forward keep the URL', async ({ page, inspector }) => {
  await openInspector(page, inspector.url, `?ref=${encodeURIComponent(`hello@${ARM.digest}`)}`);
  await page.getByLabel('Compare with').fill('hello');
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  const view = page.locator('[data-view="compare"]');
  // The index side picks linux/amd64: nothing shared with arm64.
  await expect(view.locator('.compared li').nth(1)).toContainText('(linux/amd64)');
  await expect(view.locator('[data-layer-summary]')).toHaveText(/^0 layers shared \(0 B\), 3 only in /);
  await expect(view.locator('tr[data-field="platform"] td')).toHaveText(['linux/arm64/v8', 'linux/amd64']);
  const url = new URL(page.url());
  expect([url.searchParams.get('ref'), url.searchParams.get('compare')]).toEqual([`hello@${ARM.digest}`, 'hello:latest']);
  await page.goBack();
  await expect(page.locator('[data-view="manifest"]')).toBeVisible();
  await page.goForward();
  await expect(view).toBeVisible();
});

test('hostile ?compare= values are told as input errors, and nothing is asked', async ({ page, inspector }) => {
  for (const bad of ['<img src=x onerror=alert(1)>', 'javascript:alert(1)', '../../v2/_catalog', 'a'.repeat(5000), '']) {
    inspector.log.length = 0;
    await openInspector(page, inspector.url, `?ref=hello&compare=${encodeURIComponent(bad)}`);
    await expect(page.locator('#ref-error')).toContainText('That is not an image reference');
    await expect(page.locator('[data-view="compare"]')).toHaveCount(0);
    expect(await page.locator('img').count()).toBe(0);
    expect(inspector.log.filter((l) => l.includes('/v2/'))).toEqual([]);
  }
  // A form value too.
  await openInspector(page, inspector.url, '?ref=hello:oci');
  await page.getByLabel('Compare with').fill('Nope:1');
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await expect(page.locator('.compare-form .input-error')).toContainText('repository names are lower-case');
});
