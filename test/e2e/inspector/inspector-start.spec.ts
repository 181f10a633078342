// `npm start` is Vite's dev server with the inspector plugin: the page, served from source,
// works against the embedded registry, and opens offline once it has been seen.
import { join } from 'node:path';
import { createServer, type ViteDevServer } from 'vite';
import { freePort } from '../../servers/registry.js';
import { ROOT } from '../support/fixtures.js';
import { badgeOf, expect, test, waitReady } from './fixtures.js';

let vite: ViteDevServer | undefined;

test.afterEach(async () => {
  await vite?.close();
  vite = undefined;
});

test('the dev server serves a working inspector that opens offline after a first visit', async ({ page }) => {
  const port = await freePort();
  vite = await createServer({
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'silent',
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false },
  });
  await vite.listen();
  const origin = `http://127.0.0.1:${port}`;

  // The root redirects to the inspector.
  await page.goto(`${origin}/`);
  await expect(page).toHaveURL(`${origin}/inspector.html`);
  await waitReady(page);
  await expect(page.locator('#upstream-label')).toHaveText('the embedded sample registry');
  await page.locator('#samples').getByRole('link', { name: 'hello', exact: true }).click();
  await expect(page.locator('[data-view="index"] table.platforms tbody tr')).toHaveCount(2);
  await expect(badgeOf(page)).toHaveAttribute('data-badge', 'miss');
  await page.getByRole('link', { name: 'linux/amd64' }).click();
  await expect(page.locator('[data-config-source]')).toHaveAttribute('data-config-source', 'registry');

  // The server goes away entirely: the page, its modules and the registry with it.
  await vite.close();
  vite = undefined;
  await page.context().setOffline(true);
  await page.reload();
  await expect(page.locator('[data-view="manifest"] .layers tbody tr')).toHaveCount(3);
  await expect(badgeOf(page)).toHaveAttribute('data-badge', 'hit');
  await expect(page.locator('[data-config-source]')).toHaveAttribute('data-config-source', 'offline-store');
  await page.context().setOffline(false);
});
