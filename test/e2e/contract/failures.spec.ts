// Upstream trouble while re-checking a stored tag is answered from the store; with
// nothing stored, the page gets exactly what upstream said.
import { ACCEPT_ALL, pushImage } from '../../servers/images.js';
import { bodyOf, direct, expect, ok, test, uniqueRepo } from '../support/fixtures.js';

const all = { headers: { Accept: ACCEPT_ALL } };

for (const status of [503, 429]) {
  test(`a ${status} on the re-check serves the stored tag as stale`, async ({ env, regcache }) => {
    const repo = uniqueRepo(`failures/${status}`);
    const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
    const page = await regcache.open();
    const url = `${env.proxy.url}/v2/${repo}/manifests/v1`;
    ok(await regcache.fetchIn(page, url, all));

    env.proxy.reset();
    env.proxy.addFault({ method: 'HEAD', path: `/v2/${repo}/manifests/v1`, status, times: 1 });
    const r = ok(await regcache.fetchIn(page, url, all));
    expect(r.status).toBe(200);
    expect(bodyOf(r).equals(img.body)).toBe(true);
    expect(r.headers['docker-content-digest']).toBe(img.digest);
    expect(r.headers['cache-status']).toMatch(/^regcache; hit/);
    expect(r.headers['cache-status']).toContain(`fwd-status=${status}`);
    expect(r.headers['cache-status']).toContain('detail=stale');
    expect(env.proxy.count({ method: 'HEAD', path: `/v2/${repo}/manifests/v1` })).toBe(1);
    expect(env.proxy.count({ method: 'GET', path: `/v2/${repo}/` })).toBe(0);
  });
}

test('after a 429 with Retry-After, no re-check is sent until it has passed', async ({ env, regcache }) => {
  const repo = uniqueRepo('failures/retry-after');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open();
  const url = `${env.proxy.url}/v2/${repo}/manifests/v1`;
  const heads = () => env.proxy.count({ method: 'HEAD', path: `/v2/${repo}/manifests/v1` });
  ok(await regcache.fetchIn(page, url, all));

  env.proxy.reset();
  env.proxy.addFault({ method: 'HEAD', path: `/v2/${repo}/manifests/v1`, retryAfter: 2, times: 1 });
  const started = Date.now();
  const limited = ok(await regcache.fetchIn(page, url, all));
  const answered = Date.now();
  expect(limited.headers['cache-status']).toContain('fwd-status=429');
  expect(heads()).toBe(1);

  // The gate opens 2 s after the worker saw the 429, which was after `started`; a request
  // answered before started + 2 s was decided inside the window. Those are the ones counted.
  let inside = 0;
  while (Date.now() < started + 1000) {
    const before = heads();
    const r = ok(await regcache.fetchIn(page, url, all));
    if (Date.now() >= started + 2000) break;
    inside++;
    expect(heads()).toBe(before);
    expect(bodyOf(r).equals(img.body)).toBe(true);
    expect(r.headers['cache-status']).toMatch(/^regcache; hit;.*detail=stale/);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(inside).toBeGreaterThan(0);

  // The gate closed by answered + 2 s at the latest.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, answered + 2500 - Date.now())));
  const before = heads();
  const after = ok(await regcache.fetchIn(page, url, all));
  expect(bodyOf(after).equals(img.body)).toBe(true);
  expect(after.headers['cache-status']).toContain('detail=revalidated');
  expect(heads() - before).toBe(1);
});

test('a hung re-check gives up after the timeout and serves the stored tag', async ({ env, regcache }) => {
  const repo = uniqueRepo('failures/hang');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open({ timeout: '500' });
  const url = `${env.proxy.url}/v2/${repo}/manifests/v1`;
  ok(await regcache.fetchIn(page, url, all));

  env.proxy.reset();
  env.proxy.addFault({ method: 'HEAD', path: `/v2/${repo}/manifests/v1`, hang: true });
  // Well past the worker's timeout: an answer means the worker did not wait on upstream.
  const r = await regcache.fetchIn(page, url, { ...all, timeoutMs: 15_000 });
  const served = ok(r);
  expect(served.status).toBe(200);
  expect(bodyOf(served).equals(img.body)).toBe(true);
  expect(served.headers['cache-status']).toMatch(/^regcache; hit;.*detail=stale/);
  expect(env.proxy.count({ method: 'HEAD', path: `/v2/${repo}/manifests/v1` })).toBe(1);
  // Still hanging upstream: the answer did not come from there.
  expect(env.proxy.log.find((e) => e.method === 'HEAD')?.status).toBe(0);
});

test('with nothing stored, a 503 from upstream reaches the page unchanged', async ({ env, regcache }) => {
  const repo = uniqueRepo('failures/cold-503');
  await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open();
  const url = `${env.proxy.url}/v2/${repo}/manifests/v1`;
  const body = JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'down for maintenance', detail: null }] });
  // One answer for the page, one for the direct fetch it is compared to.
  env.proxy.addFault({
    method: 'GET',
    path: `/v2/${repo}/manifests/v1`,
    status: 503,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body,
    times: 2,
  });

  const viaWorker = ok(await regcache.fetchIn(page, url, all));
  const upstream = ok(await direct(url, all));
  expect(upstream.status).toBe(503);
  expect(viaWorker.status).toBe(upstream.status);
  expect(viaWorker.body).toBe(upstream.body);
  expect(viaWorker.text).toBe(body);
  expect(viaWorker.headers['content-type']).toBe(upstream.headers['content-type']);
  expect(viaWorker.headers['cache-status']).toContain('fwd-status=503');

  // Nothing stored: the next request is a miss that goes upstream again.
  const next = ok(await regcache.fetchIn(page, url, all));
  expect(next.status).toBe(200);
  expect(next.headers['cache-status']).toContain('fwd=miss');
  expect(env.proxy.count({ method: 'GET', path: `/v2/${repo}/manifests/v1` })).toBe(3);
});

test('with nothing stored, a 429 from upstream reaches the page unchanged', async ({ env, regcache }) => {
  const repo = uniqueRepo('failures/cold-429');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open();
  const url = `${env.proxy.url}/v2/${repo}/manifests/${img.digest}`;
  env.proxy.addFault({ method: 'GET', path: `/v2/${repo}/manifests/`, retryAfter: 1, times: 2 });

  const viaWorker = ok(await regcache.fetchIn(page, url, all));
  const upstream = ok(await direct(url, all));
  expect(upstream.status).toBe(429);
  expect(viaWorker.status).toBe(upstream.status);
  expect(viaWorker.body).toBe(upstream.body);
  expect(JSON.parse(viaWorker.text).errors[0].code).toBe('TOOMANYREQUESTS');
  expect(viaWorker.headers['content-type']).toBe(upstream.headers['content-type']);
  expect(viaWorker.headers['retry-after']).toBe(upstream.headers['retry-after']);
  expect(viaWorker.headers['cache-status']).toContain('fwd-status=429');

  const next = ok(await regcache.fetchIn(page, url, all));
  expect(bodyOf(next).equals(img.body)).toBe(true);
  expect(next.headers['cache-status']).toContain('fwd=miss');
});
