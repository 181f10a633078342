// The docs' screenshots of the browser, a tag list, a comparison and offline (issue 17,
// item 7). REGCACHE_DOCS_SCREENSHOTS=1 writes them into docs/; every run attaches them.
import { expect, goOffline, goOnline, openInspector, saveScreenshot, test } from './fixtures.js';

test('screenshots: tag list, comparison, offline listing', async ({ page, inspector }, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await openInspector(page, inspector.url, '?browse=hello');
  await expect(page.locator('tr[data-loaded="true"]')).toHaveCount(3);
  await saveScreenshot(page, testInfo, 'inspector-tags', 'inspector-tags.png');

  await openInspector(page, inspector.url, '?ref=hello:oci&compare=hello:docker');
  await expect(page.locator('[data-view="compare"] tr[data-field="history"]')).toBeVisible();
  await saveScreenshot(page, testInfo, 'inspector-compare', 'inspector-compare.png');

  await goOffline(page, inspector);
  await page.goto(`${inspector.url}/inspector.html?browse=hello`);
  await expect(page.locator('[data-offline-listing]')).toBeVisible();
  await expect(page.locator('tr[data-loaded="true"]')).toHaveCount(3);
  await saveScreenshot(page, testInfo, 'inspector-offline', 'inspector-offline.png');
  await goOnline(page, inspector);
});
