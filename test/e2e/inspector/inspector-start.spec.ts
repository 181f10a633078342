// `npm start` is Vite's dev server with the inspector plugin: the page, served from source,
// works against the embedded registry, and opens offline once it has been seen.
import { join } from 'node:path';
import { createServer, type PreviewServer, preview, type ViteDevServer } from 'vite';
import { freePort } from '../../servers/registry.js';
import { ROOT } from '../support/fixtures.js';
import { badgeOf, expect, test, waitReady } from './fixtures.js';

let vite: ViteDevServer | undefined;
let previewServer: PreviewServer | undefined;

test.afterEach(async () => {
  await vite?.close();
  vite = undefined;
  await previewServer?.close();
  previewServer = undefined;
});

const POLICY = "script-src 'self'; object-src 'none'; base-uri 'none'";

test('the dev server serves a working inspector that opens offline after a first visit', async ({ page }) => {
  const port = await freePort();
  vite = await createServer({
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'silent',
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false },
  });
  await vite.listen();
  const origin = `http://127.0.0.1:${port}`;
  const violations: string[] = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`csp violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  page.on('console', (m) => {
    if (/csp violation|Content.Security.Policy/i.test(m.text())) violations.push(m.text());
  });

  // The root redirects to the inspector, which Vite serves from source with its policy.
  const response = await page.goto(`${origin}/`);
  await expect(page).toHaveURL(`${origin}/inspector.html`);
  expect(response?.headers()['content-security-policy']).toContain(`${POLICY}; connect-src`);
  expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  await waitReady(page);
  await expect(page.locator('#upstream-label')).toHaveText('the embedded sample registry');
  await page.locator('#samples').getByRole('link', { name: 'hello', exact: true }).click();
  await expect(page.locator('[data-view="index"] table.platforms tbody tr')).toHaveCount(2);
  await expect(badgeOf(page)).toHaveAttribute('data-badge', 'miss');
  // The index read each platform's manifest and config for its size and date (both stored).
  await expect(page.locator('table.platforms [data-cell="created"]').last()).not.toBeEmpty();
  await page.getByRole('link', { name: 'linux/amd64' }).click();
  await expect(page.locator('[data-config-source]')).toHaveAttribute('data-config-source', 'offline-store');
  expect(violations).toEqual([]);

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

test('vite preview serves the built page with its policy and this run’s registry', async ({ page }) => {
  const port = await freePort();
  previewServer = await preview({
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'silent',
    preview: { host: '127.0.0.1', port, strictPort: true },
  });
  const origin = `http://127.0.0.1:${port}`;
  const response = await page.goto(`${origin}/inspector.html?ref=hello`);
  expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toContain(POLICY);
  // The build says nothing of an upstream; preview tells the page this run's.
  expect(await page.locator('meta[name="regcache-registry-id"]').getAttribute('content')).toBe('embedded');
  await waitReady(page);
  await expect(page.locator('[data-view="index"] table.platforms tbody tr')).toHaveCount(2);
});
