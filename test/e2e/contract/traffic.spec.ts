// What regcache sends upstream: nothing for stored digests, a HEAD for tags, one GET for
// many identical requests, and writes forwarded untouched.
import { ACCEPT_ALL, ACCEPT_OCI, pushImage } from '../../servers/images.js';
import { bodyOf, expect, type FetchOk, ok, test, uniqueRepo } from '../support/fixtures.js';
import { entries } from '../support/store-helpers.js';

const all = { headers: { Accept: ACCEPT_ALL } };

// The Cache-Status parameters by name, so 'stored' doesn't match 'detail=not-stored'.
function params(r: FetchOk): string[] {
  return (r.headers['cache-status'] ?? '').split(';').map((p) => p.trim().split('=')[0] ?? '');
}

test('a second GET by digest sends nothing upstream', async ({ env, regcache }) => {
  const repo = uniqueRepo('traffic/digest');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open();
  const url = `${env.proxy.url}/v2/${repo}/manifests/${img.digest}`;

  const first = ok(await regcache.fetchIn(page, url, all));
  expect(params(first)).toContain('stored');
  expect(env.proxy.count({ method: 'GET', path: `/v2/${repo}/manifests/` })).toBe(1);

  env.proxy.reset();
  const second = ok(await regcache.fetchIn(page, url, all));
  expect(second.status).toBe(200);
  expect(bodyOf(second).equals(img.body)).toBe(true);
  expect(second.headers['cache-status']).toMatch(/^regcache; hit/);
  // No method filter: no GET, no HEAD, nothing (OPTIONS aside).
  expect(env.proxy.count({ path: `/v2/${repo}/` })).toBe(0);
});

test('a second GET by tag sends exactly one HEAD and no GET', async ({ env, regcache }) => {
  const repo = uniqueRepo('traffic/tag');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open();
  const url = `${env.proxy.url}/v2/${repo}/manifests/v1`;

  ok(await regcache.fetchIn(page, url, all));
  env.proxy.reset();
  const second = ok(await regcache.fetchIn(page, url, all));
  expect(bodyOf(second).equals(img.body)).toBe(true);
  expect(second.headers['cache-status']).toMatch(/^regcache; hit;.*detail=revalidated/);
  expect(env.proxy.count({ method: 'HEAD', path: `/v2/${repo}/manifests/v1` })).toBe(1);
  expect(env.proxy.count({ method: 'GET', path: `/v2/${repo}/` })).toBe(0);
  expect(env.proxy.count({ path: `/v2/${repo}/` })).toBe(1);
});

test('inside the fresh window a tag is served without asking; no-cache still re-checks', async ({ env, regcache }) => {
  const repo = uniqueRepo('traffic/fresh');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open({ fresh: '60' });
  const url = `${env.proxy.url}/v2/${repo}/manifests/v1`;

  ok(await regcache.fetchIn(page, url, all));
  env.proxy.reset();
  const fresh = ok(await regcache.fetchIn(page, url, all));
  expect(bodyOf(fresh).equals(img.body)).toBe(true);
  expect(fresh.headers['cache-status']).toMatch(/^regcache; hit/);
  expect(fresh.headers['cache-status']).not.toContain('detail=');
  expect(env.proxy.count({ path: `/v2/${repo}/` })).toBe(0);

  const forced = ok(await regcache.fetchIn(page, url, { headers: { Accept: ACCEPT_ALL, 'Cache-Control': 'no-cache' } }));
  expect(bodyOf(forced).equals(img.body)).toBe(true);
  expect(forced.headers['cache-status']).toContain('detail=revalidated');
  expect(env.proxy.count({ method: 'HEAD', path: `/v2/${repo}/manifests/v1` })).toBe(1);
  expect(env.proxy.count({ path: `/v2/${repo}/` })).toBe(1);
});

test('tag records are keyed by the Accept set', async ({ env, regcache }) => {
  const repo = uniqueRepo('traffic/accept');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open();
  const url = `${env.proxy.url}/v2/${repo}/manifests/v1`;
  const gets = () => env.proxy.count({ method: 'GET', path: `/v2/${repo}/manifests/v1` });
  const heads = () => env.proxy.count({ method: 'HEAD', path: `/v2/${repo}/manifests/v1` });

  ok(await regcache.fetchIn(page, url, { headers: { Accept: ACCEPT_ALL } }));
  const oci = ok(await regcache.fetchIn(page, url, { headers: { Accept: ACCEPT_OCI } }));
  expect(bodyOf(oci).equals(img.body)).toBe(true);
  // Same tag, same manifest, but another Accept set: its own record, its own GET.
  expect(gets()).toBe(2);
  expect(heads()).toBe(0);

  env.proxy.reset();
  for (const accept of [ACCEPT_ALL, ACCEPT_OCI]) {
    const again = ok(await regcache.fetchIn(page, url, { headers: { Accept: accept } }));
    expect(again.headers['cache-status']).toMatch(/^regcache; hit;.*detail=revalidated/);
    expect(bodyOf(again).equals(img.body)).toBe(true);
  }
  expect(gets()).toBe(0);
  expect(heads()).toBe(2);
});

test('a moved tag is re-pulled by its new digest, not by tag', async ({ env, regcache }) => {
  const repo = uniqueRepo('traffic/moved');
  const old = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open();
  const url = `${env.proxy.url}/v2/${repo}/manifests/v1`;

  const before = ok(await regcache.fetchIn(page, url, all));
  expect(bodyOf(before).equals(old.body)).toBe(true);

  const moved = await pushImage(env.registry.url, repo, 'v1', 'oci', { salt: 'v2' });
  expect(moved.digest).not.toBe(old.digest);
  env.proxy.reset();

  const after = ok(await regcache.fetchIn(page, url, all));
  expect(after.status).toBe(200);
  expect(bodyOf(after).equals(moved.body)).toBe(true);
  expect(after.headers['docker-content-digest']).toBe(moved.digest);
  expect(env.proxy.count({ method: 'HEAD', path: `/v2/${repo}/manifests/v1` })).toBe(1);
  expect(env.proxy.count({ method: 'GET', path: `/v2/${repo}/manifests/v1` })).toBe(0);
  const gets = env.proxy.log.filter((e) => e.method === 'GET' && e.path.startsWith(`/v2/${repo}/`));
  expect(gets.map((e) => e.path)).toEqual([`/v2/${repo}/manifests/${moved.digest}`]);

  // The new answer is stored for the tag as well.
  env.proxy.reset();
  const repeat = ok(await regcache.fetchIn(page, url, all));
  expect(bodyOf(repeat).equals(moved.body)).toBe(true);
  expect(repeat.headers['cache-status']).toMatch(/^regcache; hit/);
  expect(env.proxy.count({ method: 'GET', path: `/v2/${repo}/` })).toBe(0);
});

test('20 concurrent identical GETs on a cold cache make one upstream GET', async ({ env, regcache }) => {
  const repo = uniqueRepo('traffic/collapse');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open();
  const url = `${env.proxy.url}/v2/${repo}/manifests/${img.digest}`;
  // Held upstream, so every request surely arrives while the first fetch is in flight.
  env.proxy.addFault({ method: 'GET', path: `/v2/${repo}/manifests/`, delayMs: 400, times: 1 });

  const results = await page.evaluate(
    async ({ url, accept }) =>
      Promise.all(
        Array.from({ length: 20 }, async () => {
          const res = await fetch(url, { headers: { Accept: accept } });
          return { status: res.status, cacheStatus: res.headers.get('Cache-Status') ?? '', text: await res.text() };
        }),
      ),
    { url, accept: ACCEPT_ALL },
  );

  expect(env.proxy.count({ method: 'GET', path: `/v2/${repo}/manifests/` })).toBe(1);
  expect(env.proxy.count({ path: `/v2/${repo}/` })).toBe(1);
  for (const r of results) {
    expect(r.status).toBe(200);
    expect(r.text).toBe(img.body.toString('utf8'));
  }
  const collapsed = results.filter((r) => /(^|; )collapsed(;|$)/.test(r.cacheStatus));
  expect(collapsed.length).toBeGreaterThan(0);
  // Exactly one request led the fetch; the rest either waited on it or came after it.
  const led = results.filter((r) => r.cacheStatus.includes('fwd=miss') && !r.cacheStatus.includes('collapsed'));
  expect(led).toHaveLength(1);
});

test('a DELETE by digest is forwarded and drops the stored record', async ({ env, regcache }) => {
  const repo = uniqueRepo('traffic/delete');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open();
  const url = `${env.proxy.url}/v2/${repo}/manifests/${img.digest}`;

  ok(await regcache.fetchIn(page, url, all));
  // A tag pointing at that digest must go with it.
  ok(await regcache.fetchIn(page, `${env.proxy.url}/v2/${repo}/manifests/v1`, all));
  expect(await entries(page)).toHaveLength(2);
  env.proxy.reset();

  const del = ok(await regcache.fetchIn(page, url, { method: 'DELETE' }));
  expect(await entries(page)).toEqual([]);
  expect(del.status).toBe(202);
  const deletes = env.proxy.log.filter((e) => e.method === 'DELETE');
  expect(deletes.map((e) => [e.path, e.status])).toEqual([[`/v2/${repo}/manifests/${img.digest}`, 202]]);

  // Had the record survived, this would be a 200 hit from the store.
  const after = ok(await regcache.fetchIn(page, url, all));
  expect(after.status).toBe(404);
  expect(JSON.parse(after.text).errors[0].code).toBe('MANIFEST_UNKNOWN');
  expect(after.headers['cache-status']).toContain('fwd=miss');
  expect(env.proxy.count({ method: 'GET', path: `/v2/${repo}/manifests/${img.digest}` })).toBe(1);
});

test('a PUT by tag is forwarded and drops the tag record', async ({ env, regcache }) => {
  const repo = uniqueRepo('traffic/put');
  const old = await pushImage(env.registry.url, repo, 'v1', 'oci');
  // Pushed under another tag, so PUT below moves v1 to content the registry already holds blobs for.
  const next = await pushImage(env.registry.url, repo, 'next', 'oci', { salt: 'put' });
  const page = await regcache.open();
  const url = `${env.proxy.url}/v2/${repo}/manifests/v1`;

  expect(bodyOf(ok(await regcache.fetchIn(page, url, all))).equals(old.body)).toBe(true);
  env.proxy.reset();

  const put = ok(
    await regcache.fetchIn(page, url, {
      method: 'PUT',
      headers: { 'Content-Type': next.mediaType },
      body: next.body.toString('utf8'),
    }),
  );
  expect(put.status).toBe(201);
  expect(env.proxy.log.filter((e) => e.method === 'PUT').map((e) => [e.path, e.status])).toEqual([[`/v2/${repo}/manifests/v1`, 201]]);

  env.proxy.reset();
  const after = ok(await regcache.fetchIn(page, url, all));
  expect(bodyOf(after).equals(next.body)).toBe(true);
  expect(after.headers['cache-status']).toContain('fwd=miss');
  // A kept record would have been re-checked with a HEAD instead.
  expect(env.proxy.count({ method: 'GET', path: `/v2/${repo}/manifests/v1` })).toBe(1);
  expect(env.proxy.count({ method: 'HEAD', path: `/v2/${repo}/` })).toBe(0);
});

test('a no-store request is not stored', async ({ env, regcache }) => {
  const repo = uniqueRepo('traffic/nostore');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open();
  const noStore = { headers: { Accept: ACCEPT_ALL, 'Cache-Control': 'no-store' } };

  for (const ref of [img.digest, 'v1']) {
    const url = `${env.proxy.url}/v2/${repo}/manifests/${ref}`;
    env.proxy.reset();
    const first = ok(await regcache.fetchIn(page, url, noStore));
    expect(bodyOf(first).equals(img.body)).toBe(true);
    expect(first.headers['cache-status']).toContain('fwd=request');
    expect(params(first)).not.toContain('stored');

    const second = ok(await regcache.fetchIn(page, url, all));
    expect(bodyOf(second).equals(img.body)).toBe(true);
    expect(second.headers['cache-status']).toContain('fwd=miss');
    expect(env.proxy.count({ method: 'GET', path: `/v2/${repo}/manifests/${ref}` })).toBe(2);
    expect(env.proxy.count({ method: 'HEAD', path: `/v2/${repo}/` })).toBe(0);
  }
});

test('what was stored survives a worker restart', async ({ env, regcache }) => {
  const repo = uniqueRepo('traffic/restart');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open();
  const byTag = `${env.proxy.url}/v2/${repo}/manifests/v1`;
  const byDigest = `${env.proxy.url}/v2/${repo}/manifests/${img.digest}`;

  ok(await regcache.fetchIn(page, byTag, all));
  ok(await regcache.fetchIn(page, byDigest, all));
  await regcache.stopWorker(page);
  env.proxy.offline(true);
  env.proxy.reset();

  // A fresh worker, no memory: only IndexedDB can answer.
  const digest = ok(await regcache.fetchIn(page, byDigest, all));
  expect(digest.status).toBe(200);
  expect(bodyOf(digest).equals(img.body)).toBe(true);
  expect(digest.headers['cache-status']).toMatch(/^regcache; hit/);
  expect(digest.headers['cache-status']).not.toContain('detail=');
  expect(digest.headers['docker-content-digest']).toBe(img.digest);

  const tag = ok(await regcache.fetchIn(page, byTag, all));
  expect(tag.status).toBe(200);
  expect(bodyOf(tag).equals(img.body)).toBe(true);
  expect(tag.headers['cache-status']).toMatch(/^regcache; hit;.*detail=stale/);

  // Nothing was pulled: the tag's re-check (or its preflight) is all that was tried.
  expect(env.proxy.count({ method: 'GET', path: `/v2/${repo}/` })).toBe(0);
  expect(env.proxy.count({ method: 'HEAD', path: `/v2/${repo}/manifests/${img.digest}` })).toBe(0);
  expect(env.proxy.log.every((e) => e.fault === 'offline')).toBe(true);
});
