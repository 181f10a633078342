// Checks the test bed itself (registry, images, proxy, static server, fixtures) without
// regcache's worker, so a failure here points at the bed and not at the worker.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACCEPT_ALL, ACCEPT_DOCKER, ACCEPT_OCI, deleteManifest, type ImageKind, pushImage, sha256 } from '../../servers/images.js';
import { bodyOf, direct, expect, isFetchError, ok, registerIn, test, uniqueRepo } from './fixtures.js';

// Extra worker scripts on the page origin, for this file's tests only.
const scratch = test.extend<{ scratchDir: string }>({
  scratchDir: async ({ env }, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'regcache-bed-'));
    env.pages.addRoot(dir);
    await use(dir);
    env.pages.removeRoot(dir);
    await rm(dir, { recursive: true, force: true });
  },
});

// A pass-through worker that counts the page's fetch() calls it handled, in memory, so a
// restart shows. Navigations and icons are left out: in WebKit the restart is itself a
// navigation (support/webkit.ts).
const PASS_THROUGH_SW = `
const bootId = Math.random().toString(36).slice(2);
let handled = 0;
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (e) => {
  if (new URL(e.request.url).pathname === '/__bed/state') {
    e.respondWith(Response.json({ bootId, handled, search: self.location.search }));
    return;
  }
  if (e.request.destination === '') handled++;
  e.respondWith(fetch(e.request));
});
`;

const ACCEPT_FOR: Record<ImageKind, string> = {
  oci: ACCEPT_OCI,
  docker: ACCEPT_DOCKER,
  'oci-index': ACCEPT_ALL,
  'docker-list': ACCEPT_DOCKER,
};

test('every kind of image reads back byte for byte, through the proxy, in the page', async ({ env, regcache }) => {
  const page = await regcache.blank();
  for (const kind of ['oci', 'docker', 'oci-index', 'docker-list'] as const) {
    const repo = uniqueRepo(`bed/${kind}`);
    const img = await pushImage(env.registry.url, repo, 'v1', kind);
    expect(img.digest).toBe(sha256(img.body));
    expect(img.children).toHaveLength(kind.endsWith('index') || kind.endsWith('list') ? 2 : 0);

    for (const ref of [img.tag, img.digest]) {
      const r = ok(
        await regcache.fetchIn(page, `${env.proxy.url}/v2/${repo}/manifests/${ref}`, {
          headers: { Accept: ACCEPT_FOR[kind] },
          cache: 'no-store',
        }),
      );
      expect(r.status).toBe(200);
      expect(bodyOf(r).equals(img.body)).toBe(true);
      expect(r.headers['docker-content-digest']).toBe(img.digest);
      expect(r.headers['content-type']).toBe(img.mediaType);
      const up = ok(await direct(`${env.registry.url}/v2/${repo}/manifests/${ref}`, { headers: { Accept: ACCEPT_FOR[kind] } }));
      expect(up.body).toBe(r.body);
    }
    for (const child of img.children) {
      const r = ok(
        await regcache.fetchIn(page, `${env.proxy.url}/v2/${repo}/manifests/${child.digest}`, {
          headers: { Accept: child.mediaType },
          cache: 'no-store',
        }),
      );
      expect(bodyOf(r).equals(child.body)).toBe(true);
      expect(r.headers['docker-content-digest']).toBe(child.digest);
    }
    expect(env.proxy.count({ method: 'GET', path: `/v2/${repo}/manifests/` })).toBe(2 + img.children.length);
  }
  // ACCEPT_ALL is over 128 bytes, so the index reads were preflighted; count() leaves OPTIONS out.
  expect(env.proxy.count({ method: 'OPTIONS' })).toBeGreaterThan(0);
  expect(env.proxy.log.every((e) => e.status !== 0)).toBe(true);
});

test('salt moves a tag; deleteManifest removes it', async ({ env }) => {
  const repo = uniqueRepo('bed/salt');
  const a = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const b = await pushImage(env.registry.url, repo, 'v1', 'oci', { salt: 'two' });
  expect(b.digest).not.toBe(a.digest);
  const byTag = ok(await direct(`${env.registry.url}/v2/${repo}/manifests/v1`, { headers: { Accept: ACCEPT_OCI } }));
  expect(byTag.headers['docker-content-digest']).toBe(b.digest);
  await deleteManifest(env.registry.url, repo, b.digest);
  const gone = ok(await direct(`${env.registry.url}/v2/${repo}/manifests/v1`, { headers: { Accept: ACCEPT_OCI } }));
  expect(gone.status).toBe(404);
});

test('offline: the page gets a network error and nothing reaches upstream', async ({ env, regcache }) => {
  const repo = uniqueRepo('bed/offline');
  await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.blank();
  const url = `${env.proxy.url}/v2/${repo}/manifests/v1`;

  env.proxy.offline(true);
  const r = await regcache.fetchIn(page, url, { headers: { Accept: ACCEPT_OCI }, cache: 'no-store' });
  expect(isFetchError(r)).toBe(true);
  expect(env.proxy.count({ path: url.slice(env.proxy.url.length), upstream: true })).toBe(0);
  // Exactly one attempt: Chromium did not quietly retry on another connection.
  expect(env.proxy.count({ path: `/v2/${repo}/` })).toBe(1);

  env.proxy.offline(false);
  expect(ok(await regcache.fetchIn(page, url, { headers: { Accept: ACCEPT_OCI }, cache: 'no-store' })).status).toBe(200);
});

test('fault rules: injected answers, 429, corruption, oversize, reset, hang, delay', async ({ env, regcache }) => {
  const repo = uniqueRepo('bed/faults');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.blank();
  const url = `${env.proxy.url}/v2/${repo}/manifests/v1`;
  // ACCEPT_ALL forces a preflight; rules without a method must leave it alone.
  const get = (init: { timeoutMs?: number } = {}) =>
    regcache.fetchIn(page, url, { headers: { Accept: ACCEPT_ALL }, cache: 'no-store', ...init });

  env.proxy.fault({ path: `/v2/${repo}/manifests/`, times: 1, status: 503, headers: { 'Content-Type': 'text/plain' }, body: 'down' });
  const injected = ok(await get());
  expect([injected.status, injected.text]).toEqual([503, 'down']);
  expect(ok(await get()).status).toBe(200);

  env.proxy.fault({ path: '/manifests/v1', times: 1, retryAfter: 7 });
  const limited = ok(await get());
  expect([limited.status, limited.headers['retry-after']]).toEqual([429, '7']);

  env.proxy.fault({ path: '/manifests/v1', times: 1, corruptBody: true });
  const corrupt = ok(await get());
  expect(corrupt.headers['docker-content-digest']).toBe(img.digest);
  expect(bodyOf(corrupt).length).toBe(img.size);
  expect(sha256(bodyOf(corrupt))).not.toBe(img.digest);
  JSON.parse(corrupt.text);

  env.proxy.fault({ path: '/manifests/v1', times: 1, oversizeBytes: 100_000 });
  const big = ok(await get());
  expect(bodyOf(big).length).toBe(100_000);
  expect(big.headers['docker-content-digest']).toBe(sha256(bodyOf(big)));
  expect(JSON.parse(big.text).schemaVersion).toBe(2);

  env.proxy.fault({ path: '/manifests/v1', times: 1, reset: true });
  expect(isFetchError(await get())).toBe(true);

  env.proxy.fault({ path: '/manifests/v1', times: 1, hang: true });
  const hung = await get({ timeoutMs: 1000 });
  expect(isFetchError(hung) && hung.error).toMatch(/TimeoutError|AbortError/);

  env.proxy.fault({ path: '/manifests/v1', times: 1, delayMs: 200 });
  expect(ok(await get()).status).toBe(200);

  const faults = env.proxy.log.filter((e) => e.method === 'GET').map((e) => e.fault ?? '-');
  expect(faults).toEqual(['status', '-', 'retryAfter', 'corruptBody', 'oversize', 'reset', 'hang', 'delay']);
  expect(env.proxy.log.filter((e) => e.method === 'OPTIONS').every((e) => e.upstream)).toBe(true);
});

scratch('open() and stopWorker() with a stand-in worker', async ({ env, regcache, scratchDir }) => {
  await writeFile(join(scratchDir, 'bed-sw.js'), PASS_THROUGH_SW);
  const repo = uniqueRepo('bed/sw');
  const img = await pushImage(env.registry.url, repo, 'v1', 'docker');
  const page = await regcache.open({ ttl: '30s', mirror: ['a', 'b'] }, { script: '/bed-sw.js' });
  const state = async () =>
    JSON.parse(ok(await regcache.fetchIn(page, '/__bed/state')).text) as { bootId: string; handled: number; search: string };

  const before = await state();
  expect(new URLSearchParams(before.search).get('upstream')).toBe(env.proxy.url);
  expect(new URLSearchParams(before.search).getAll('mirror')).toEqual(['a', 'b']);

  const r = ok(
    await regcache.fetchIn(page, `${env.proxy.url}/v2/${repo}/manifests/v1`, { headers: { Accept: ACCEPT_DOCKER }, cache: 'no-store' }),
  );
  expect(bodyOf(r).equals(img.body)).toBe(true);
  expect(r.headers['docker-content-digest']).toBe(img.digest);
  expect((await state()).handled).toBe(1);

  await regcache.stopWorker();
  const after = await state();
  expect(after.bootId).not.toBe(before.bootId);
  expect(after.handled).toBe(0);
});

scratch('what the page sees when the worker script throws at top level', async ({ engine, regcache, scratchDir }) => {
  test.skip(engine !== 'chromium', "checks Chromium's own rejection and the thrown text it reports over CDP");
  const thrown = 'regcache: bad parameter "ttl": expected a duration such as 30s, got "soon"';
  await writeFile(join(scratchDir, 'bad-sw.js'), `throw new Error(${JSON.stringify(thrown)});\n`);
  const page = await regcache.blank();
  const result = await registerIn(page, regcache.scriptUrl({ ttl: 'soon' }, '/bad-sw.js'));
  test.info().annotations.push({ type: 'register() rejection', description: JSON.stringify(result) });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  // Chromium's rejection is generic ("... ServiceWorker script evaluation failed"); the
  // thrown text only reaches DevTools.
  expect(result.name).toBe('TypeError');
  expect(result.message).toContain('ServiceWorker script evaluation failed');
  expect(result.workerErrors).toContain(`Uncaught Error: ${thrown}`);
});
