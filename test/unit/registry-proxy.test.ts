// The dev server's proxy mode (REGCACHE_PROXY) against a hostile registry: redirects,
// content types, request targets and announced realms. Real sockets on loopback, where
// http://127.0.0.1:<port> and http://localhost:<port> are two different origins.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_PROXY_PATH } from '../../inspector/page/offline-names.js';
import { inspectorMiddleware } from '../../inspector/server/inspector-plugin.js';
import { AnnouncedRealms, isPublicAddress, MAX_REALMS, relayedContentType, upstreamUrl } from '../../inspector/server/registry-proxy.js';

interface Running {
  port: number;
  requests: string[];
  close(): Promise<void>;
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void, host = '127.0.0.1'): Promise<Running> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((done) => server.listen(0, host, done));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

const HTML = '<!doctype html><script>parent.postMessage(document.cookie, "*")</script>';
const MANIFEST = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', layers: [] });

let internal: Running; // a service on loopback that the registry must not reach through the proxy
let upstream: Running; // the hostile registry
let devServer: Running; // the inspector's server in proxy mode
let registryUrl: string;
let devUrl: string;
let realmCounter = 0;

beforeAll(async () => {
  internal = await serve((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end('internal secret'), 'localhost');
  upstream = await serve((req, res) => {
    const path = req.url ?? '/';
    const internalUrl = `http://localhost:${internal.port}/secret`;
    if (path === '/v2/') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    if (path.endsWith('/blobs/sha256:internal')) return void res.writeHead(302, { Location: internalUrl }).end();
    if (path.endsWith('/blobs/sha256:own')) return void res.writeHead(307, { Location: `${registryUrl}/storage/own` }).end();
    if (path.endsWith('/blobs/sha256:loop')) return void res.writeHead(302, { Location: `${registryUrl}${path}` }).end();
    if (path === '/storage/own') return void res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end('blob bytes');
    if (path.endsWith('/manifests/redirected')) return void res.writeHead(302, { Location: `${registryUrl}/v2/x/manifests/target` }).end();
    if (path.endsWith('/manifests/target') || path.endsWith('/manifests/oci'))
      return void res.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' }).end(MANIFEST);
    if (path.endsWith('/manifests/html')) return void res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(HTML);
    if (path.endsWith('/manifests/svg')) return void res.writeHead(200, { 'Content-Type': 'image/svg+xml' }).end('<svg/>');
    if (path.endsWith('/manifests/json'))
      return void res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
    if (path.includes('/manifests/realm-')) {
      const realm = `http://localhost:${internal.port}/token-${path.split('realm-')[1]}`;
      return void res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="${realm}",service="s"` }).end();
    }
    res.writeHead(404).end();
  });
  registryUrl = `http://127.0.0.1:${upstream.port}`;
  const middleware = inspectorMiddleware({ distDir: '/nonexistent', layoutDir: '/nonexistent', proxy: registryUrl });
  devServer = await serve((req, res) => middleware(req, res, () => res.writeHead(404).end()));
  devUrl = `http://127.0.0.1:${devServer.port}`;
});

afterAll(async () => {
  await Promise.all([internal?.close(), upstream?.close(), devServer?.close()]);
});

function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${devUrl}${path}`, { headers, redirect: 'manual' });
}

describe('proxy mode: redirects', () => {
  it('never follows a blob redirect to another origin on a loopback address', async () => {
    internal.requests.length = 0;
    const res = await get('/v2/x/blobs/sha256:internal');
    const body = await res.text();
    expect(body).not.toContain('internal secret');
    expect(res.status).toBe(502);
    expect(internal.requests).toEqual([]);
  });

  it('follows a blob redirect to the upstream’s own origin', async () => {
    const res = await get('/v2/x/blobs/sha256:own');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('blob bytes');
  });

  it('follows blob redirects only a few hops', async () => {
    upstream.requests.length = 0;
    const res = await get('/v2/x/blobs/sha256:loop');
    await res.arrayBuffer();
    expect(res.status).toBe(502);
    expect(upstream.requests.length).toBeLessThanOrEqual(6);
  });

  it('passes a manifest redirect through, unfollowed, pointing back at the proxy', async () => {
    upstream.requests.length = 0;
    const res = await get('/v2/x/manifests/redirected');
    await res.arrayBuffer();
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/v2/x/manifests/target');
    expect(upstream.requests).toEqual(['GET /v2/x/manifests/redirected']);
  });
});

describe('proxy mode: relayed content types', () => {
  it('relays an HTML answer as inert bytes', async () => {
    const res = await get('/v2/x/manifests/html');
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    expect(await res.text()).toBe(HTML);
  });

  it('relays SVG as bytes too, and manifest and JSON types as they are, with the same headers', async () => {
    expect((await get('/v2/x/manifests/svg')).headers.get('content-type')).toBe('application/octet-stream');
    for (const [path, type] of [
      ['/v2/x/manifests/oci', 'application/vnd.oci.image.manifest.v1+json'],
      ['/v2/x/manifests/json', 'application/json'],
    ] as const) {
      const res = await get(path);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    }
  });

  it('refuses navigations to /v2/ and /_regcache/', async () => {
    upstream.requests.length = 0;
    for (const dest of ['document', 'iframe']) {
      for (const path of ['/v2/x/manifests/html', `${TOKEN_PROXY_PATH}?realm=x`]) {
        const res = await get(path, { 'Sec-Fetch-Dest': dest, 'Sec-Fetch-Mode': 'navigate' });
        expect(res.status, `${dest} ${path}`).toBe(403);
        expect(await res.text()).not.toContain('<script>');
      }
    }
    expect(upstream.requests).toEqual([]);
  });
});

describe('proxy mode: target URLs', () => {
  // Raw, since fetch() would never send such a request line.
  function rawGet(target: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(devServer.port, '127.0.0.1', () => {
        socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${devServer.port}\r\nConnection: close\r\n\r\n`);
      });
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString('latin1')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
  }

  it('builds the upstream URL from the path and query alone, whatever the request line', async () => {
    upstream.requests.length = 0;
    const answer = await rawGet('x://y/v2/');
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(upstream.requests).toEqual(['GET /v2/']);
  });
});

describe('proxy mode: announced realms', () => {
  it('remembers a bounded number of announced realms, forgetting the oldest', async () => {
    const first = ++realmCounter;
    await (await get(`/v2/x/manifests/realm-${first}`)).arrayBuffer();
    for (let i = 0; i < 100; i++) await (await get(`/v2/x/manifests/realm-${++realmCounter}`)).arrayBuffer();
    const latest = `http://localhost:${internal.port}/token-${realmCounter}`;
    const oldest = `http://localhost:${internal.port}/token-${first}`;
    expect((await get(`${TOKEN_PROXY_PATH}?realm=${encodeURIComponent(latest)}`)).status).not.toBe(403);
    expect((await get(`${TOKEN_PROXY_PATH}?realm=${encodeURIComponent(oldest)}`)).status).toBe(403);
  }, 30_000);
});

describe('proxy mode: its rules, one by one', () => {
  it('keeps the target on the upstream’s origin, whatever the request line', () => {
    const upstream = 'https://registry.example';
    for (const target of ['x://y/v2/', 'a.evil.example://y/v2/x', '/v2/x?y=1', 'http://other.example/v2/']) {
      expect(upstreamUrl(target, upstream)?.origin, target).toBe(upstream);
    }
    expect(upstreamUrl('x://y/v2/?a=b', upstream)?.href).toBe('https://registry.example/v2/?a=b');
    // A path that would be read as another host is refused rather than followed.
    expect(upstreamUrl('http://x//evil.example/v2/', upstream)).toBeNull();
  });

  it('remembers the most recently announced realms', () => {
    const realms = new AnnouncedRealms(3);
    for (const r of ['a', 'b', 'c', 'a', 'd']) realms.add(r);
    expect(realms.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((r) => realms.has(r))).toEqual([true, false, true, true]);
    expect(new AnnouncedRealms().size).toBe(0);
    const many = new AnnouncedRealms();
    for (let i = 0; i < 10_000; i++) many.add(`https://auth.example/${i}`);
    expect(many.size).toBe(MAX_REALMS);
  });

  it('tells public addresses from loopback, private, link-local and the like', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      expect(isPublicAddress(address), address).toBe(true);
    for (const address of [
      '127.0.0.1',
      '127.1.2.3',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      'localhost',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });

  it('relays JSON and manifest types as they are, anything else as bytes', () => {
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.docker.distribution.manifest.v1+prettyjws',
    ]) {
      expect(relayedContentType(type)).toBe(type);
    }
    for (const type of [undefined, '', 'text/html', 'image/svg+xml', 'text/xml', 'application/json, text/html', 'application/xhtml+xml']) {
      expect(relayedContentType(type), String(type)).toBe('application/octet-stream');
    }
  });
});
