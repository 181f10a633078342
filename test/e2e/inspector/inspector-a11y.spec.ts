// Accessibility, measured (issue 17, item 6): axe-core on every view of the inspector, in
// light and dark mode, at desktop and phone width. No serious or critical violation.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, goOffline, goOnline, type InspectorServer, openInspector, samples, test } from './fixtures.js';

const S = samples();
const ARM = S.latest.children.find((c) => c.platform === 'linux/arm64/v8')!;

const MODES = [
  { scheme: 'light', width: 1280, height: 900 },
  { scheme: 'dark', width: 1280, height: 900 },
  { scheme: 'light', width: 390, height: 844 },
  { scheme: 'dark', width: 390, height: 844 },
] as const;

async function audit(page: Page, view: string): Promise<string[]> {
  const found: string[] = [];
  for (const mode of MODES) {
    await page.emulateMedia({ colorScheme: mode.scheme });
    await page.setViewportSize({ width: mode.width, height: mode.height });
    const { violations } = await new AxeBuilder({ page }).analyze();
    for (const v of violations) {
      if (v.impact !== 'serious' && v.impact !== 'critical') continue;
      for (const node of v.nodes) found.push(`${view} ${mode.scheme} ${mode.width}px: ${v.id} at ${node.target.join(' ')}`);
    }
  }
  return found;
}

const VIEWS: Array<[string, (page: Page, server: InspectorServer) => Promise<void>]> = [
  ['welcome', async (page, server) => openInspector(page, server.url)],
  [
    'index',
    async (page, server) => {
      await openInspector(page, server.url, '?ref=hello');
      await expect(page.locator('table.platforms [data-cell="created"]').first()).not.toBeEmpty();
    },
  ],
  [
    'manifest',
    async (page, server) => {
      await openInspector(page, server.url, `?ref=${encodeURIComponent(`hello@${ARM.digest}`)}`);
      await expect(page.locator('[data-config-source]')).toBeVisible();
    },
  ],
  [
    'catalog',
    async (page, server) => {
      await openInspector(page, server.url, '?browse=');
      await expect(page.locator('.repositories li')).toHaveCount(1);
    },
  ],
  [
    'tags',
    async (page, server) => {
      await openInspector(page, server.url, '?browse=hello');
      await expect(page.locator('tr[data-loaded="true"]')).toHaveCount(3);
    },
  ],
  [
    'compare',
    async (page, server) => {
      await openInspector(page, server.url, '?ref=hello:oci&compare=hello:docker');
      await expect(page.locator('[data-view="compare"]')).toBeVisible();
    },
  ],
  [
    'problem with suggestions',
    async (page, server) => {
      await openInspector(page, server.url, '?ref=hello:dockr');
      await expect(page.locator('.did-you-mean')).toBeVisible();
    },
  ],
  [
    'clear-all question',
    async (page, server) => {
      await openInspector(page, server.url, '?ref=hello:oci');
      await expect(page.locator('.record')).toHaveCount(2);
      await page.getByRole('button', { name: 'Clear all' }).click();
    },
  ],
  [
    'offline listing',
    async (page, server) => {
      await openInspector(page, server.url, '?ref=hello:oci');
      await expect(page.locator('[data-view="manifest"]')).toBeVisible();
      await goOffline(page, server);
      await page.goto(`${server.url}/inspector.html?browse=hello`);
      await expect(page.locator('[data-offline-listing]')).toBeVisible();
    },
  ],
  ['bad ?upstream=', async (page, server) => openInspector(page, server.url, '?upstream=nonsense')],
];

for (const [name, open] of VIEWS) {
  test(`axe: no serious or critical violation on the ${name} view, light and dark, desktop and phone`, async ({ page, inspector }) => {
    // Four axe audits of a whole page each: under CI's load that can run past the default minute.
    test.slow();
    await open(page, inspector);
    expect(await audit(page, name)).toEqual([]);
    await goOnline(page, inspector);
  });
}
