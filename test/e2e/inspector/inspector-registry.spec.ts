// The embedded registry answers like distribution 2.8: the sample layout is pushed into a
// real docker-registry, and both are asked the same requests. Status, every header but
// Date and connection management, and the body bytes must match.
import { readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { createLayoutRegistry } from '../../../inspector/server/layout-registry.js';
import { loadOciLayout } from '../../../inspector/server/oci-layout.js';
import { ACCEPT_ALL, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST } from '../../servers/images.js';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, CORS_EXPOSE_HEADERS, type Registry, startRegistry } from '../../servers/registry.js';
import { LAYOUT_DIR, samples } from './fixtures.js';

const PAGE_ORIGIN = 'http://page.example';
const S = samples();
const blob = (digest: string) => readFileSync(join(LAYOUT_DIR, 'blobs', 'sha256', digest.slice('sha256:'.length)));

interface Answer {
  status: number;
  headers: string[];
  body: string;
}

function ask(base: string, method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const pairs: string[] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i]!.toLowerCase();
          if (!['date', 'connection', 'keep-alive'].includes(name)) pairs.push(`${name}: ${res.rawHeaders[i + 1]}`);
        }
        resolve({ status: res.statusCode ?? 0, headers: pairs.sort(), body: Buffer.concat(chunks).toString('base64') });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function pushLayout(registryUrl: string): Promise<void> {
  const index = JSON.parse(readFileSync(join(LAYOUT_DIR, 'index.json'), 'utf8')) as {
    manifests: Array<{ digest: string; mediaType: string; annotations: Record<string, string> }>;
  };
  const putBlob = async (repo: string, digest: string) => {
    const start = await fetch(`${registryUrl}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
    await start.arrayBuffer();
    const url = new URL(start.headers.get('location')!, registryUrl);
    url.searchParams.set('digest', digest);
    const res = await fetch(url, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: blob(digest) });
    if (res.status !== 201) throw new Error(`push blob ${digest}: ${res.status} ${await res.text()}`);
  };
  const putManifest = async (repo: string, reference: string, digest: string, mediaType: string): Promise<void> => {
    const body = blob(digest);
    const parsed = JSON.parse(body.toString('utf8')) as {
      manifests?: Array<{ digest: string; mediaType: string }>;
      config?: { digest: string };
      layers?: Array<{ digest: string }>;
    };
    for (const child of parsed.manifests ?? []) await putManifest(repo, child.digest, child.digest, child.mediaType);
    for (const b of [parsed.config, ...(parsed.layers ?? [])]) if (b) await putBlob(repo, b.digest);
    const res = await fetch(`${registryUrl}/v2/${repo}/manifests/${reference}`, {
      method: 'PUT',
      headers: { 'Content-Type': mediaType },
      body,
    });
    if (res.status !== 201) throw new Error(`push manifest ${repo}:${reference}: ${res.status} ${await res.text()}`);
  };
  for (const d of index.manifests) {
    const name = d.annotations['org.opencontainers.image.ref.name']!;
    const colon = name.lastIndexOf(':');
    await putManifest(name.slice(0, colon), name.slice(colon + 1), d.digest, d.mediaType);
  }
}

let registry: Registry;
let embedded: Server;
let embeddedUrl: string;

test.beforeAll(async () => {
  registry = await startRegistry({ corsOrigins: [PAGE_ORIGIN] });
  await pushLayout(registry.url);
  const handler = createLayoutRegistry(loadOciLayout(LAYOUT_DIR), {
    cors: { origin: PAGE_ORIGIN, methods: CORS_ALLOW_METHODS, allowHeaders: CORS_ALLOW_HEADERS, exposeHeaders: CORS_EXPOSE_HEADERS },
  });
  embedded = createServer(handler);
  await new Promise<void>((done) => embedded.listen(0, '127.0.0.1', done));
  embeddedUrl = `http://127.0.0.1:${(embedded.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise<void>((done) => (embedded ? embedded.close(() => done()) : done()));
  await registry?.stop();
});

const config = (() => {
  const manifest = JSON.parse(blob(S.oci.digest).toString('utf8')) as { config: { digest: string }; layers: Array<{ digest: string }> };
  return { config: manifest.config.digest, layer: manifest.layers[0]!.digest };
})();
const ZEROS = `sha256:${'0'.repeat(64)}`;
const all = { Accept: ACCEPT_ALL };

const CASES: Array<[string, string, string, Record<string, string>?]> = [
  ['base', 'GET', '/v2/'],
  ['base, HEAD', 'HEAD', '/v2/'],
  ['base, preflight', 'OPTIONS', '/v2/', { Origin: PAGE_ORIGIN, 'Access-Control-Request-Method': 'GET' }],
  ['index by tag', 'GET', '/v2/library/hello/manifests/latest', all],
  ['index by tag, HEAD', 'HEAD', '/v2/library/hello/manifests/latest', all],
  ['index by digest', 'GET', `/v2/library/hello/manifests/${S.latest.digest}`, all],
  ['platform manifest by digest', 'GET', `/v2/library/hello/manifests/${S.latest.children[1]!.digest}`, all],
  ['OCI manifest by tag', 'GET', '/v2/library/hello/manifests/oci', all],
  ['Docker manifest by tag', 'GET', '/v2/library/hello/manifests/docker', { Accept: DOCKER_MANIFEST }],
  ['Docker manifest by digest, HEAD', 'HEAD', `/v2/library/hello/manifests/${S.docker.digest}`, all],
  ['index without Accept', 'GET', '/v2/library/hello/manifests/latest'],
  ['OCI manifest, Accept index only', 'GET', '/v2/library/hello/manifests/oci', { Accept: OCI_INDEX }],
  // distribution-quirks.ts, one case for each exception.
  ['OCI manifest, Accept in capitals', 'GET', '/v2/library/hello/manifests/oci', { Accept: OCI_MANIFEST.toUpperCase() }],
  ['OCI manifest, Accept with q=0', 'GET', '/v2/library/hello/manifests/oci', { Accept: `${OCI_MANIFEST};q=0` }],
  [
    'If-None-Match before Accept',
    'GET',
    '/v2/library/hello/manifests/oci',
    { Accept: DOCKER_MANIFEST, 'If-None-Match': `"${S.oci.digest}"` },
  ],
  ['If-None-Match, a list', 'GET', '/v2/library/hello/manifests/latest', { ...all, 'If-None-Match': `"${ZEROS}", "${S.latest.digest}"` }],
  ['If-None-Match, *', 'GET', '/v2/library/hello/manifests/latest', { ...all, 'If-None-Match': '*' }],
  ['unsupported digest algorithm', 'GET', `/v2/library/hello/manifests/md5:${'0'.repeat(32)}`, all],
  ['name with a registry host', 'GET', '/v2/Registry.example/hello/manifests/latest', all],
  ['name with a port', 'GET', '/v2/localhost:5000/hello/manifests/latest', all],
  ['name with a port, by digest', 'GET', `/v2/localhost:5000/hello/manifests/${ZEROS}`, all],
  ['name with a port, blob', 'GET', `/v2/localhost:5000/hello/blobs/${ZEROS}`],
  ['name with a port, tags', 'GET', '/v2/localhost:5000/hello/tags/list'],
  ['name with an IPv6 host', 'GET', '/v2/[::1]/hello/manifests/latest', all],
  ['unknown tag', 'GET', '/v2/library/hello/manifests/nope', all],
  ['unknown tag, HEAD', 'HEAD', '/v2/library/hello/manifests/nope', all],
  ['unknown repository', 'GET', '/v2/library/nope/manifests/latest', all],
  ['unknown digest', 'GET', `/v2/library/hello/manifests/${ZEROS}`, all],
  ['unknown sha512 digest', 'GET', `/v2/library/hello/manifests/sha512:${'0'.repeat(128)}`, all],
  ['malformed digest', 'GET', '/v2/library/hello/manifests/sha256:00', all],
  ['If-None-Match, quoted', 'GET', '/v2/library/hello/manifests/latest', { ...all, 'If-None-Match': `"${S.latest.digest}"` }],
  ['If-None-Match, bare', 'GET', '/v2/library/hello/manifests/latest', { ...all, 'If-None-Match': S.latest.digest }],
  ['If-None-Match, weak', 'GET', '/v2/library/hello/manifests/latest', { ...all, 'If-None-Match': `W/"${S.latest.digest}"` }],
  ['If-None-Match, other', 'GET', '/v2/library/hello/manifests/latest', { ...all, 'If-None-Match': `"${ZEROS}"` }],
  [
    'manifest preflight',
    'OPTIONS',
    '/v2/library/hello/manifests/latest',
    { Origin: PAGE_ORIGIN, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'accept' },
  ],
  ['config blob', 'GET', `/v2/library/hello/blobs/${config.config}`],
  ['layer blob, HEAD', 'HEAD', `/v2/library/hello/blobs/${config.layer}`],
  ['blob range', 'GET', `/v2/library/hello/blobs/${config.layer}`, { Range: 'bytes=0-9' }],
  ['blob If-None-Match', 'GET', `/v2/library/hello/blobs/${config.config}`, { 'If-None-Match': `"${config.config}"` }],
  [
    'blob If-None-Match, weak in a list',
    'GET',
    `/v2/library/hello/blobs/${config.config}`,
    { 'If-None-Match': `"x", W/"${config.config}"` },
  ],
  ['unknown blob', 'GET', `/v2/library/hello/blobs/${ZEROS}`],
  ['blob of an unknown repository', 'GET', `/v2/library/nope/blobs/${config.config}`],
  ['malformed blob digest', 'GET', '/v2/library/hello/blobs/sha256:zz'],
  [
    'blob preflight',
    'OPTIONS',
    `/v2/library/hello/blobs/${config.config}`,
    { Origin: PAGE_ORIGIN, 'Access-Control-Request-Method': 'GET' },
  ],
  ['tags', 'GET', '/v2/library/hello/tags/list'],
  ['tags of an unknown repository', 'GET', '/v2/library/nope/tags/list'],
  ['catalog', 'GET', '/v2/_catalog'],
  // Paged: a Link only when more names follow (inspector-distribution.spec.ts pages through more).
  ['catalog, a full page', 'GET', '/v2/_catalog?n=1'],
  ['catalog, after the last name', 'GET', '/v2/_catalog?n=1&last=library%2Fhello'],
  ['catalog, before the first name', 'GET', '/v2/_catalog?n=5&last=a'],
  ['catalog, n=0', 'GET', '/v2/_catalog?n=0'],
  ['catalog, n malformed', 'GET', '/v2/_catalog?n=abc'],
  ['catalog, n negative', 'GET', '/v2/_catalog?n=-3'],
  ['tags, n given', 'GET', '/v2/library/hello/tags/list?n=1'],
  ['no such route', 'GET', '/v2/nothing'],
  ['PATCH on a manifest', 'PATCH', '/v2/library/hello/manifests/latest'],
];

for (const [name, method, path, headers] of CASES) {
  test(`same answer as distribution: ${name}`, async () => {
    const [real, ours] = await Promise.all([ask(registry.url, method, path, headers), ask(embeddedUrl, method, path, headers)]);
    expect(ours).toEqual(real);
  });
}
