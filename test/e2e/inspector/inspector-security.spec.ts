// The inspector against a hostile registry, a hostile link and a hostile page on another
// origin (docs/security.md): one hostile fixture per weakness of issue 16.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Page } from '@playwright/test';
import { startHostileRegistry } from '../../servers/hostile-registry.js';
import {
  expect,
  goOffline,
  goOnline,
  type InspectorServer,
  openInspector,
  samples,
  startInspectorServer,
  test,
  waitReady,
} from './fixtures.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

// Every Content-Security-Policy violation the page reports, from its first script on.
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const console: string[] = [];
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) console.push(m.text());
  });
  return async () => [
    ...((await page.evaluate(() => (window as unknown as { cspViolations?: string[] }).cspViolations)) ?? []),
    ...console,
  ];
}

test.describe('switching the registry behind the page’s origin', () => {
  let servers: InspectorServer[] = [];
  test.afterEach(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    servers = [];
  });

  test('a digest stored from one registry is not served once the origin proxies another', async ({ page }) => {
    const child = samples().latest.children[0]!;
    const embedded = await startInspectorServer();
    servers.push(embedded);
    await openInspector(page, embedded.url, `?ref=${encodeURIComponent(`hello@${child.digest}`)}`);
    await expect(page.locator('[data-view="manifest"] h2')).toHaveText(`hello@${child.digest}`);

    // The same origin, restarted as a proxy to a registry that has never heard of it.
    const other = await startHostileRegistry();
    const port = Number(new URL(embedded.url).port);
    await embedded.stop();
    const proxy = await startInspectorServer({ proxy: other.url, port });
    servers.push(proxy);
    try {
      await page.reload();
      await waitReady(page);
      await expect(page.locator('#view [data-problem]')).toHaveAttribute('data-problem', 'not-found');
      expect(other.requests.map((r) => `${r.method} ${r.url}`)).toContain(`GET /v2/library/hello/manifests/${child.digest}`);
    } finally {
      await other.stop();
    }
  });
});

test.describe('a link that chooses the registry', () => {
  let tokenRequests: Array<{ url: string; cookie: string | undefined }> = [];
  let inspector: InspectorServer;
  const route = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!req.url?.startsWith('/token')) return false;
    tokenRequests.push({ url: req.url, cookie: req.headers.cookie });
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: 'page-origin-secret', expires_in: 300 }));
    return true;
  };

  test.beforeAll(async () => {
    inspector = await startInspectorServer({ route });
  });
  test.afterAll(async () => {
    await inspector.stop();
  });

  test('a hostile registry cannot have the page fetch a token on its own origin, with its cookies', async ({ page, context }) => {
    tokenRequests = [];
    const hostile = await startHostileRegistry({
      cors: true,
      handle: (req, res) => {
        if (req.headers.authorization) return false;
        const realm = req.url?.startsWith('/v2/relative/') ? '/token' : `${inspector.url}/token`;
        res.writeHead(401, { 'Content-Type': 'application/json', 'WWW-Authenticate': `Bearer realm="${realm}",service="evil"` });
        res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
        return true;
      },
    });
    try {
      await context.addCookies([{ name: 'session', value: 'page-origin-cookie', url: inspector.url }]);
      const host = new URL(hostile.url).host;
      for (const repository of ['relative/x', 'absolute/x']) {
        await page.goto(`${inspector.url}/inspector.html?upstream=${encodeURIComponent(hostile.url)}&ref=${repository}:1`);
        await waitReady(page);
        await expect(page.locator('#view [data-problem]')).toBeVisible();
        expect(tokenRequests).toEqual([]);
        expect(hostile.requests.filter((r) => r.headers.authorization).map((r) => r.headers.authorization)).toEqual([]);
        // Whoever sent the link chose the registry: the page says which, before anything else.
        await expect(page.locator('[data-chosen-registry]')).toBeVisible();
        await expect(page.locator('[data-chosen-registry]')).toContainText(host);
      }
    } finally {
      await hostile.stop();
    }
  });

  test('the shell cache holds the app’s own files only: no token, no other project’s file', async ({ page }) => {
    await openInspector(page, inspector.url, '?ref=hello');
    await expect(page.locator('[data-view="index"]')).toBeVisible();
    const fetched = await page.evaluate(async () => {
      const token = await fetch('/token?scope=repository:x:pull');
      const other = await fetch('/client.js');
      return [token.status, other.status];
    });
    expect(fetched).toEqual([200, 200]);
    await page.waitForTimeout(200);
    const cached = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) {
        if (name.includes('configs')) continue;
        for (const request of await (await caches.open(name)).keys()) {
          const url = new URL(request.url);
          // Keys on other origins are names, never fetched (the worker's note of the registry).
          if (url.origin === location.origin) urls.push(url.pathname);
        }
      }
      return urls;
    });
    expect(cached.filter((p) => p.startsWith('/token') || p === '/client.js')).toEqual([]);
    for (const path of cached) expect(path).toMatch(/^\/(inspector\.html|favicon\.svg|assets\/[\w.-]+)$/);
    // Scope: the app, not the whole origin other projects share.
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.scope)).toBe(
      `${inspector.url}/inspector.html`,
    );
  });
});

test.describe('a hostile page on another origin', () => {
  test('the inspector sends a Content-Security-Policy, cannot be framed, and runs no injected inline script', async ({ page }) => {
    const inspector = await startInspectorServer();
    const hostile = await startHostileRegistry({
      handle: (req, res) => {
        if (req.url !== '/frame.html') return false;
        res.writeHead(200, { 'Content-Type': 'text/html' }).end(`<iframe src="${inspector.url}/inspector.html"></iframe>`);
        return true;
      },
    });
    try {
      const response = await page.goto(`${inspector.url}/inspector.html`);
      await waitReady(page);
      const injected = await page.evaluate(() => {
        const script = document.createElement('script');
        script.textContent = 'window.injected = true';
        document.head.append(script);
        return (window as unknown as { injected?: boolean }).injected === true;
      });
      expect(injected).toBe(false);

      await page.goto(`${hostile.url}/frame.html`);
      await page.waitForLoadState('load');
      await page.waitForTimeout(500);
      for (const frame of page.frames()) {
        if (frame !== page.mainFrame()) expect(await frame.locator('#lookup').count()).toBe(0);
      }

      const header = response?.headers()['content-security-policy'] ?? '';
      for (const directive of ["script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) {
        expect(header).toContain(directive);
      }
      // Static hosts cannot always send headers: the built page carries the policy too.
      const meta = page.locator('meta[http-equiv="Content-Security-Policy"]');
      await page.goto(`${inspector.url}/inspector.html`);
      expect(await meta.getAttribute('content')).toContain("script-src 'self'");
    } finally {
      await hostile.stop();
      await inspector.stop();
    }
  });

  test('no Content-Security-Policy violation on any view', async ({ page, inspector }) => {
    const violations = await watchViolations(page);
    const child = samples().latest.children[0]!;
    await openInspector(page, inspector.url);
    await expect(page.locator('.welcome')).toBeVisible();
    expect(await violations()).toEqual([]);
    await openInspector(page, inspector.url, '?ref=hello');
    await expect(page.locator('[data-view="index"]')).toBeVisible();
    await page.getByRole('link', { name: child.platform }).click();
    await expect(page.locator('[data-config-source]')).toBeVisible();
    await page.locator('.raw-json summary').first().click();
    expect(await violations()).toEqual([]);
    await openInspector(page, inspector.url, '?ref=nothere:1');
    await expect(page.locator('#view [data-problem]')).toBeVisible();
    await openInspector(page, inspector.url, '?ref=Not%20A%20Reference');
    await expect(page.locator('#ref-error')).toBeVisible();
    expect(await violations()).toEqual([]);
    await goOffline(page, inspector);
    await page.reload();
    await waitReady(page);
    await expect(page.locator('#online')).toHaveText('Offline');
    expect(await violations()).toEqual([]);
    await goOnline(page, inspector);
  });
});

test.describe('a hostile registry’s manifests and configs', () => {
  test('labels, annotations and fields of the wrong type render as text, never as a crash', async ({ page }) => {
    const hostile = await startHostileRegistry();
    const inspector = await startInspectorServer({ proxy: hostile.url });
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    const config = JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: { nested: { b: 1 }, number: 5, text: 'plain' }, Env: ['A=1', { B: 2 }], Cmd: 'sh' },
      history: [{ created_by: { run: 'x' } }, null, 5],
    });
    const configDigest = hostile.blob(config);
    const descriptor = { mediaType: OCI_CONFIG, digest: configDigest, size: config.length };
    hostile.manifest(
      'library/fuzz',
      'labels',
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: descriptor, layers: [], annotations: { nested: { y: 2 } } }),
      OCI_MANIFEST,
    );
    hostile.manifest('library/fuzz', 'null', 'null', OCI_MANIFEST);
    hostile.manifest('library/fuzz', 'index', JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: 'none' }), OCI_INDEX);
    hostile.manifest(
      'library/fuzz',
      'deep',
      `{"schemaVersion":2,"mediaType":"${OCI_MANIFEST}","config":${JSON.stringify(descriptor)},"layers":[],"annotations":{"deep":${deep(20000)}}}`,
      OCI_MANIFEST,
    );
    try {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await openInspector(page, inspector.url, '?ref=fuzz:labels');
      const view = page.locator('[data-view="manifest"]');
      await expect(view.locator('.annotations dd')).toHaveText('{"y":2}');
      const labels = view.locator('.labels dd');
      await expect(labels).toHaveText(['{"b":1}', '5', 'plain']);
      await expect(view.locator('.config .problem')).toHaveCount(0);
      for (const tag of ['null', 'index', 'deep']) {
        await openInspector(page, inspector.url, `?ref=fuzz:${tag}`);
        await expect(page.locator('#view [data-view], #view [data-problem]')).toBeVisible();
        await expect(page.locator('#view [data-problem="unexpected"]')).toHaveCount(0);
        await expect(page.locator('#view')).not.toContainText(/TypeError|RangeError|\[object Object\]/);
      }
      expect(errors).toEqual([]);
    } finally {
      await inspector.stop();
      await hostile.stop();
    }
  });
});
