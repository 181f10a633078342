// Only bodies that hash to their digest are stored; the rest is refused or passed through,
// and an offline repeat shows that nothing was kept.
import { createHash } from 'node:crypto';
import type { Page } from '@playwright/test';
import { ACCEPT_ALL, ACCEPT_OCI, OCI_MANIFEST, pushImage } from '../../servers/images.js';
import { oversizeManifest } from '../../servers/proxy.js';
import { bodyOf, direct, type Env, expect, type FetchOk, isFetchError, ok, type Regcache, test, uniqueRepo } from '../support/fixtures.js';
import { dumpDb } from '../support/store-helpers.js';

function sha512(data: Buffer): string {
  return `sha512:${createHash('sha512').update(data).digest('hex')}`;
}

const all = { headers: { Accept: ACCEPT_ALL } };

function expectDigestInvalid(r: FetchOk): void {
  expect(r.status).toBe(502);
  const parsed = JSON.parse(r.text) as { errors: Array<{ code: string; message: string }> };
  expect(parsed.errors).toHaveLength(1);
  expect(parsed.errors[0]?.code).toBe('DIGEST_INVALID');
  expect(r.headers['cache-status']).toMatch(/^regcache; fwd=/);
}

// With upstream cut off, only what regcache stored can answer; a network error means nothing was.
async function expectNothingStored(env: Env, regcache: Regcache, page: Page, urls: string[]): Promise<void> {
  env.proxy.offline(true);
  try {
    for (const url of urls) {
      const r = await regcache.fetchIn(page, url, all);
      expect(isFetchError(r), `${url} was answered offline: ${JSON.stringify(r).slice(0, 200)}`).toBe(true);
    }
  } finally {
    env.proxy.offline(false);
  }
}

test('a corrupt body fetched by digest is refused with DIGEST_INVALID and not stored', async ({ env, regcache }) => {
  const repo = uniqueRepo('verify/digest');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open();
  const url = `${env.proxy.url}/v2/${repo}/manifests/${img.digest}`;
  env.proxy.addFault({ method: 'GET', path: `/v2/${repo}/manifests/`, corruptBody: true, times: 1 });

  const r = ok(await regcache.fetchIn(page, url, all));
  expectDigestInvalid(r);
  expect(env.proxy.log.filter((e) => e.fault === 'corruptBody')).toHaveLength(1);
  await expectNothingStored(env, regcache, page, [url]);

  // Upstream healthy again: the right bytes come through and are stored this time.
  const good = ok(await regcache.fetchIn(page, url, all));
  expect(bodyOf(good).equals(img.body)).toBe(true);
  expect(good.headers['cache-status']).toContain('stored');
});

test('a corrupt body fetched by tag contradicts its Docker-Content-Digest: 502, not stored', async ({ env, regcache }) => {
  const repo = uniqueRepo('verify/tag');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open();
  const byTag = `${env.proxy.url}/v2/${repo}/manifests/v1`;
  env.proxy.addFault({ method: 'GET', path: `/v2/${repo}/manifests/v1`, corruptBody: true, times: 1 });

  expectDigestInvalid(ok(await regcache.fetchIn(page, byTag, all)));
  // Neither under the tag nor under the digest its header named.
  await expectNothingStored(env, regcache, page, [byTag, `${env.proxy.url}/v2/${repo}/manifests/${img.digest}`]);
});

test('a body over 4 MiB is passed through but not stored', async ({ env, regcache }) => {
  const repo = uniqueRepo('verify/oversize');
  await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open();
  const url = `${env.proxy.url}/v2/${repo}/manifests/v1`;
  const size = 5 * 1024 * 1024;
  env.proxy.addFault({ method: 'GET', path: `/v2/${repo}/manifests/v1`, oversizeBytes: size, times: 1 });

  const r = ok(await regcache.fetchIn(page, url, { headers: { Accept: ACCEPT_OCI } }));
  expect(r.status).toBe(200);
  const body = bodyOf(r);
  expect(body.length).toBe(size);
  expect(body.equals(oversizeManifest(size, OCI_MANIFEST))).toBe(true);
  expect(r.headers['cache-status']).toContain('detail=not-stored');
  const digest = r.headers['docker-content-digest'];
  expect(digest).toMatch(/^sha256:/);

  await expectNothingStored(env, regcache, page, [url, `${env.proxy.url}/v2/${repo}/manifests/${digest}`]);
});

test('a sha512 reference the registry cannot serve is passed through and nothing is stored', async ({ env, regcache }) => {
  const repo = uniqueRepo('verify/sha512-registry');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open();
  const url = `${env.proxy.url}/v2/${repo}/manifests/${sha512(img.body)}`;

  const viaWorker = ok(await regcache.fetchIn(page, url, all));
  const upstream = ok(await direct(url, all));
  // distribution 2.8 keeps manifests by sha256 only.
  expect(upstream.status).toBe(404);
  expect(viaWorker.status).toBe(upstream.status);
  expect(viaWorker.body).toBe(upstream.body);
  expect(viaWorker.headers['content-type']).toBe(upstream.headers['content-type']);
  expect(viaWorker.headers['cache-status']).toContain('fwd-status=404');
  expect(env.proxy.count({ method: 'GET', path: url.slice(env.proxy.url.length) })).toBe(2);

  await expectNothingStored(env, regcache, page, [url]);
});

test('a sha512 body that matches its digest is stored and served offline', async ({ env, regcache }) => {
  const repo = uniqueRepo('verify/sha512-ok');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open();
  const digest = sha512(img.body);
  const path = `/v2/${repo}/manifests/${digest}`;
  // A registry that does serve sha512: the proxy answers for it.
  env.proxy.addFault({
    method: 'GET',
    path,
    status: 200,
    headers: { 'Content-Type': OCI_MANIFEST, 'Docker-Content-Digest': digest },
    body: img.body,
    times: 1,
  });

  const first = ok(await regcache.fetchIn(page, `${env.proxy.url}${path}`, all));
  expect(first.status).toBe(200);
  expect(bodyOf(first).equals(img.body)).toBe(true);
  expect(first.headers['cache-status']).toContain('stored');

  env.proxy.offline(true);
  const again = ok(await regcache.fetchIn(page, `${env.proxy.url}${path}`, all));
  expect(again.status).toBe(200);
  expect(bodyOf(again).equals(img.body)).toBe(true);
  expect(again.headers['docker-content-digest']).toBe(digest);
  expect(again.headers['cache-status']).toMatch(/^regcache; hit/);
});

test('a sha512 body that does not match its digest is refused with DIGEST_INVALID', async ({ env, regcache }) => {
  const repo = uniqueRepo('verify/sha512-bad');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const other = await pushImage(env.registry.url, repo, 'other', 'oci', { salt: 'other' });
  const page = await regcache.open();

  const cases = [
    // Upstream hands out other content under the requested digest, and says so in its header.
    { reference: sha512(other.body), header: sha512(other.body) },
    // The requested digest is right, the header names something else.
    { reference: sha512(img.body), header: sha512(other.body) },
  ];
  for (const { reference, header } of cases) {
    const path = `/v2/${repo}/manifests/${reference}`;
    env.proxy.addFault({
      method: 'GET',
      path,
      status: 200,
      headers: { 'Content-Type': OCI_MANIFEST, 'Docker-Content-Digest': header },
      body: img.body,
      times: 1,
    });
    expectDigestInvalid(ok(await regcache.fetchIn(page, `${env.proxy.url}${path}`, all)));
    await expectNothingStored(env, regcache, page, [`${env.proxy.url}${path}`]);
  }
});

// Only canonical digests become keys. A Docker-Content-Digest that is not canonical (upper-case
// hex, an algorithm regcache does not verify, a name that is a property of every JS object) is
// treated as absent: the digest is computed from the body, which is stored once, under it.
for (const [what, odd] of [
  ['upper-case hex', (d: string) => `sha256:${d.slice(7).toUpperCase()}`],
  ['an algorithm regcache does not verify (blake3)', (d: string) => `blake3:${d.slice(7)}`],
  ['constructor:abc', () => 'constructor:abc'],
  ['__proto__:abc', () => '__proto__:abc'],
] as const) {
  test(`a Docker-Content-Digest with ${what} is no key: stored once, under the digest of the body`, async ({ env, regcache }) => {
    const repo = uniqueRepo('verify/canonical');
    const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
    const page = await regcache.open();
    const byTag = `${env.proxy.url}/v2/${repo}/manifests/v1`;
    const sent = odd(img.digest);
    env.proxy.addFault({
      method: 'GET',
      path: `/v2/${repo}/manifests/v1`,
      status: 200,
      headers: { 'Content-Type': OCI_MANIFEST, 'Docker-Content-Digest': sent },
      body: img.body,
      times: 1,
    });

    const r = ok(await regcache.fetchIn(page, byTag, all));
    expect(r.status).toBe(200);
    expect(bodyOf(r).equals(img.body)).toBe(true);
    // Upstream's header reaches the page as sent; regcache answered it, and stored it.
    expect(r.headers['docker-content-digest']).toBe(sent);
    expect(r.headers['cache-status']).toMatch(/^regcache; fwd=miss; stored/);
    // One upstream GET: nothing threw inside the worker and sent the request out again.
    expect(env.proxy.count({ method: 'GET' })).toBe(1);

    const manifests = (await dumpDb(page)).manifests.filter((m) => m.repository === repo);
    expect(manifests.map((m) => m.digest)).toEqual([img.digest]);
    // By its canonical digest, the record is a hit with no upstream request.
    env.proxy.reset();
    const hit = ok(await regcache.fetchIn(page, `${env.proxy.url}/v2/${repo}/manifests/${img.digest}`, all));
    expect(hit.headers['cache-status']).toMatch(/^regcache; hit/);
    expect(bodyOf(hit).equals(img.body)).toBe(true);
    expect(env.proxy.count()).toBe(0);
  });
}
