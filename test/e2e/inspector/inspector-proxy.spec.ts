// Proxy mode (REGCACHE_PROXY): a registry that sends no CORS headers and wants bearer
// tokens from a realm, the way Docker Hub does, reached through the dev server's
// same-origin proxy. Docker Hub's realm and blob storage are https on public addresses;
// here they are on the registry's own origin, the other case the proxy follows (a realm or
// redirect to another origin on loopback is refused: test/unit/registry-proxy.test.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TOKEN_PROXY_PATH } from '../../../inspector/page/offline-names.js';
import { createLayoutRegistry } from '../../../inspector/server/layout-registry.js';
import { loadOciLayout } from '../../../inspector/server/oci-layout.js';
import { badgeOf, expect, type InspectorServer, LAYOUT_DIR, openInspector, startInspectorServer, test } from './fixtures.js';

const TOKEN = 'anonymous-pull-token';

interface Hub {
  url: string;
  authUrl: string;
  tokenRequests: string[];
  stop(): Promise<void>;
}

function listen(server: Server): Promise<string> {
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

// A registry in Docker Hub's manner: no CORS, 401 with a Bearer challenge naming a token
// service, and blobs redirected to storage.
async function startHub(): Promise<Hub> {
  const tokenRequests: string[] = [];
  const registry = createLayoutRegistry(loadOciLayout(LAYOUT_DIR));
  let authUrl = '';
  const hub = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://hub.invalid');
    if (url.pathname === '/token') {
      tokenRequests.push(url.search);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: TOKEN, expires_in: 300 }));
      return;
    }
    if (url.pathname === '/v2/library/paged/tags/list') {
      // Docker Hub pages tags with an absolute Link on its own origin.
      const links: Record<string, string> = {
        '': `<${authUrl}/v2/library/paged/tags/list?last=a&n=1>; rel="next"`,
        a: '<http://evil.example/v2/library/paged/tags/list?last=b&n=1>; rel="next"',
      };
      const last = url.searchParams.get('last') ?? '';
      res
        .writeHead(200, { 'Content-Type': 'application/json', Link: links[last] ?? '' })
        .end(JSON.stringify({ name: 'library/paged', tags: [last || 'first'] }));
      return;
    }
    if (url.pathname.startsWith('/storage/')) {
      // The "CDN": serves the blob the registry redirected to, with no CORS either.
      registry(Object.assign(req, { url: url.pathname.replace('/storage', '') }) as IncomingMessage, res);
      return;
    }
    const name = /^\/v2\/(.+?)\/(manifests|blobs)\//.exec(req.url ?? '')?.[1];
    // library/private is refused whatever the token, as a private repository is to anonymous pulls.
    if (name && (req.headers.authorization !== `Bearer ${TOKEN}` || name === 'library/private')) {
      const body = JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }] });
      res
        .writeHead(401, {
          'Content-Type': 'application/json',
          'WWW-Authenticate': `Bearer realm="${authUrl}/token",service="registry.hub.test",scope="repository:${name}:pull"`,
        })
        .end(body);
      return;
    }
    if (req.url?.includes('/blobs/')) {
      res.writeHead(307, { Location: `${authUrl}/storage${req.url}` }).end();
      return;
    }
    registry(req, res);
  });
  const url = await listen(hub);
  authUrl = url;
  return {
    url,
    authUrl,
    tokenRequests,
    stop: async () => {
      await new Promise((done) => hub.close(done));
    },
  };
}

let hub: Hub;
let server: InspectorServer;

test.beforeAll(async () => {
  hub = await startHub();
  server = await startInspectorServer({ proxy: hub.url });
});

test.afterAll(async () => {
  await server?.stop();
  await hub?.stop();
});

test('proxy mode: the token flow and the blob redirect go through the dev server', async ({ page, context }) => {
  const otherOrigins: string[] = [];
  const tokenCookies: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).origin !== server.url) otherOrigins.push(r.url());
    if (r.url().includes(TOKEN_PROXY_PATH)) void r.allHeaders().then((h) => tokenCookies.push(h.cookie ?? ''));
  });
  // A cookie of the page's origin stays home: the token request carries no credentials.
  await context.addCookies([{ name: 'session', value: 'page-origin-cookie', url: server.url }]);
  await openInspector(page, server.url, '?ref=hello:oci');
  await expect(page.locator('#upstream-label')).toHaveText(`${new URL(hub.url).host}, through this server’s proxy`);
  await expect(page.locator('#samples')).toBeHidden();
  const manifest = page.locator('[data-view="manifest"]');
  await expect(manifest.locator('h2')).toHaveText('hello:oci');
  await expect(badgeOf(page)).toHaveAttribute('data-badge', 'miss');
  await expect(manifest.locator('[data-config-source]')).toHaveAttribute('data-config-source', 'registry');
  await expect(manifest.locator('table.history tbody tr')).toHaveCount(8);

  // One token, asked for through the proxy with the challenge's service and scope.
  expect(hub.tokenRequests).toEqual([`?service=registry.hub.test&scope=repository%3Alibrary%2Fhello%3Apull`]);
  expect(server.log.filter((l) => l.startsWith(`GET ${TOKEN_PROXY_PATH}?`))).toHaveLength(1);
  expect(tokenCookies).toEqual(['']);
  expect(otherOrigins).toEqual([]);

  // A reference that names the proxied registry's host goes through the proxy as well.
  await page.getByLabel('Image reference').fill(`${new URL(hub.url).host}/library/hello:docker`);
  await page.getByLabel('Image reference').press('Enter');
  await expect(manifest.locator('[data-field="media-type"]')).toContainText('application/vnd.docker.distribution.manifest.v2+json');
  expect(otherOrigins).toEqual([]);

  // Refused even with a token: a sentence, not a status code.
  await page.getByLabel('Image reference').fill('private:1');
  await page.getByLabel('Image reference').press('Enter');
  const problem = page.locator('#view [data-problem]');
  await expect(problem).toHaveAttribute('data-problem', 'unauthorized');
  await expect(problem.locator('p')).toHaveText(
    `${new URL(hub.url).host} did not let the inspector read library/private (“authentication required”). The repository may not exist, or it may be private: the inspector only asks for anonymous tokens.`,
  );
});

test('proxy mode forwards token requests only to realms the registry announced', async ({ request }) => {
  const refused = await request.get(`${server.url}${TOKEN_PROXY_PATH}?realm=${encodeURIComponent('http://127.0.0.1:1/token')}&scope=x`);
  expect(refused.status()).toBe(403);
  expect((await refused.json()).errors[0].code).toBe('DENIED');

  // The challenge is rewritten to point at the proxy, the original realm riding along.
  const challenged = await request.get(`${server.url}/v2/library/hello/manifests/latest`);
  expect(challenged.status()).toBe(401);
  const header = challenged.headers()['www-authenticate']!;
  const realm = /realm="([^"]+)"/.exec(header)![1]!;
  expect(new URL(realm).origin).toBe(server.url);
  expect(new URL(realm).pathname).toBe(TOKEN_PROXY_PATH);
  expect(new URL(realm).searchParams.get('realm')).toBe(`${hub.authUrl}/token`);
  expect(header).toContain('service="registry.hub.test"');
  expect(header).toContain('scope="repository:library/hello:pull"');
});

test('proxy mode passes on a listing’s next page as a path on its own origin, and drops one elsewhere', async ({ request }) => {
  const first = await request.get(`${server.url}/v2/library/paged/tags/list?n=1`);
  expect(first.headers().link).toBe('</v2/library/paged/tags/list?last=a&n=1>; rel="next"');
  const second = await request.get(`${server.url}/v2/library/paged/tags/list?last=a&n=1`);
  expect(second.status()).toBe(200);
  expect(second.headers().link).toBeUndefined();
});
