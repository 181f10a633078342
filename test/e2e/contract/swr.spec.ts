// Stale-while-revalidate for tags (`swr`): a public tag past `fresh` is served at once while
// its HEAD re-check runs in the background; what that re-check finds reaches the store
// first and the pages next. Answers are checked by order against a proxy that holds the
// re-check until the test releases it, never by timing.
import type { Page } from '@playwright/test';
import type { RegcacheEvent } from '../../../src/core/protocol.js';
import { ACCEPT_ALL, ACCEPT_OCI, OCI_MANIFEST, pushImage, putManifest, sha256 } from '../../servers/images.js';
import type { UpstreamProxy } from '../../servers/proxy.js';
import { test as authTest, push, tokenFor } from '../support/auth-env.js';
import { bodyOf, expect, ok, type Regcache, test, uniqueRepo } from '../support/fixtures.js';
import { client, entries, waitFor } from '../support/store-helpers.js';

const SWR = 'stale-while-revalidate';
// Long enough that a re-check never times out, whether a test holds it or a loaded machine
// slows it: a timed-out background check tells nothing, and a test waiting for its event
// would fail.
const LONG_TIMEOUT = '60000';

type Window = { events: RegcacheEvent[]; channel: BroadcastChannel; order: string[] };

// Collects the worker's events in the page.
async function listen(page: Page): Promise<() => Promise<RegcacheEvent[]>> {
  await page.evaluate(() => {
    const w = window as unknown as Window;
    w.events = [];
    w.channel = new BroadcastChannel('regcache');
    w.channel.onmessage = (e) => w.events.push(e.data as RegcacheEvent);
  });
  return () => page.evaluate(() => (window as unknown as Window).events);
}

function getter(regcache: Regcache, page: Page, base: string, repo: string) {
  return async (ref: string, init: { accept?: string; method?: string; token?: string } = {}) => {
    const headers: Record<string, string> = { Accept: init.accept ?? ACCEPT_ALL };
    if (init.token) headers.Authorization = `Bearer ${init.token}`;
    const r = ok(
      await regcache.fetchIn(page, `${base}/v2/${repo}/manifests/${ref}`, { method: init.method ?? 'GET', headers, timeoutMs: 30_000 }),
    );
    return { ...r, cacheStatus: r.headers['cache-status'] ?? '', digest: r.status === 200 && r.body ? sha256(bodyOf(r)) : null };
  };
}

// Upstream answered every request for this path (none is still held or pending).
const settled = (proxy: UpstreamProxy, path: string) =>
  waitFor(
    async () => proxy.log.filter((e) => e.path.includes(path)),
    (entries) => entries.length > 0 && entries.every((e) => e.status !== 0),
    15_000,
  );

// Starts a GET in the page without waiting for it; the page notes in `order` when it is answered.
async function startFetch(page: Page, url: string, headers: Record<string, string>): Promise<void> {
  await page.evaluate(
    ({ url, headers }) => {
      const w = window as unknown as Window;
      w.order = [];
      void fetch(url, { headers }).then(
        (r) => w.order.push(`answered ${r.status} ${r.headers.get('Cache-Status')}`),
        (e: Error) => w.order.push(`failed ${e.message}`),
      );
    },
    { url, headers },
  );
}

// Notes the release in the page's order, then lets the held re-check through.
async function releaseAfterNoting(page: Page, proxy: UpstreamProxy): Promise<string[]> {
  await page.evaluate(() => (window as unknown as Window).order.push('released'));
  expect(proxy.release()).toBe(1);
  return waitFor(
    () => page.evaluate(() => (window as unknown as Window).order),
    (order) => order.length >= 2,
    15_000,
  );
}

test('a stored tag is answered while upstream still holds its re-check', async ({ env, regcache }) => {
  const repo = uniqueRepo('swr/held');
  const v1 = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open({ swr: '300', timeout: LONG_TIMEOUT });
  const get = getter(regcache, page, env.proxy.url, repo);
  expect((await get('v1')).cacheStatus).toContain('stored');

  const path = `/v2/${repo}/manifests/v1`;
  env.proxy.reset();
  env.proxy.addFault({ method: 'HEAD', path, hold: true });
  const r = await get('v1');
  expect(r.digest).toBe(v1.digest);
  expect(r.cacheStatus).toMatch(new RegExp(`^regcache; hit; ttl=\\d+; detail=${SWR}$`));
  // The page has its answer, and upstream has not answered the re-check: it is (or is
  // about to be, behind its preflight) held until released below.
  const heads = () => env.proxy.log.filter((e) => e.method === 'HEAD' && e.path.includes(path));
  const held = await waitFor(
    async () => heads(),
    (e) => e.length > 0,
    15_000,
  );
  expect(held.map((e) => [e.fault, e.status])).toEqual([['hold', 0]]);

  expect(env.proxy.release()).toBe(1);
  const checked = await settled(env.proxy, path);
  expect(checked.filter((e) => e.method === 'HEAD').map((e) => e.status)).toEqual([200]);
});

test('a moved tag is stored, then told; the next request gets the new digest; moved back, no GET', async ({ env, regcache }) => {
  const repo = uniqueRepo('swr/moved');
  const v1 = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open({ swr: '300', timeout: LONG_TIMEOUT });
  const events = await listen(page);
  const get = getter(regcache, page, env.proxy.url, repo);
  await get('v1');

  const v2 = await pushImage(env.registry.url, repo, 'v1', 'oci', { salt: 'moved' });
  const stale = await get('v1');
  expect(stale.digest).toBe(v1.digest);
  expect(stale.cacheStatus).toContain(SWR);
  const moved = { type: 'tag-moved', upstream: env.proxy.url, repository: repo, tag: 'v1', from: v1.digest, to: v2.digest };
  expect(await waitFor(events, (e) => e.length > 0, 15_000)).toEqual([moved]);
  env.proxy.reset();
  const next = await get('v1');
  expect(next.digest).toBe(v2.digest);
  expect(next.cacheStatus).toContain(SWR);
  // That answer's own background HEAD must be done before the tag moves back, or it may
  // already see the move and the request below would not be the one to find it.
  await settled(env.proxy, `/v2/${repo}/manifests/v1`);

  // Moved back to content still stored: repointed, and no GET goes upstream for it.
  await putManifest(env.registry.url, repo, 'v1', OCI_MANIFEST, v1.body);
  await settled(env.proxy, `/v2/${repo}/manifests/`);
  env.proxy.reset();
  expect((await get('v1')).digest).toBe(v2.digest);
  const back = { ...moved, from: v2.digest, to: v1.digest };
  expect(await waitFor(events, (e) => e.length > 1, 15_000)).toEqual([moved, back]);
  expect((await get('v1')).digest).toBe(v1.digest);
  expect(env.proxy.count({ method: 'GET' })).toBe(0);
});

test('a tag purged while its background re-check is out stays purged; asked again, it is fetched anew', async ({ env, regcache }) => {
  const repo = uniqueRepo('swr/purged');
  await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open({ swr: '300', timeout: LONG_TIMEOUT });
  const events = await listen(page);
  const get = getter(regcache, page, env.proxy.url, repo);
  await get('v1');

  const v2 = await pushImage(env.registry.url, repo, 'v1', 'oci', { salt: 'moved' });
  const path = `/v2/${repo}/manifests/`;
  env.proxy.reset();
  env.proxy.addFault({ method: 'HEAD', path: `${path}v1`, hold: true });
  expect((await get('v1')).cacheStatus).toContain(SWR);
  await waitFor(
    async () => env.proxy.log.filter((e) => e.method === 'HEAD' && e.fault === 'hold'),
    (held) => held.length > 0,
    15_000,
  );
  expect(await client(page, 'purge', { repository: repo })).toEqual({ deleted: 2 });
  expect(env.proxy.release()).toBe(1);
  // The re-check goes on (the tag moved: it fetches the new digest) and ends by telling of
  // the move, after its write, which stores nothing.
  expect((await waitFor(events, (e) => e.length > 0, 15_000)).map((e) => e.type)).toEqual(['tag-moved']);
  const log = env.proxy.log.filter((e) => e.path.startsWith(path) && e.method !== 'OPTIONS');
  expect(log.map((e) => `${e.method} ${e.path.slice(path.length)}`)).toEqual(['HEAD v1', `GET ${v2.digest}`]);
  expect((await entries(page)).filter((e) => e.repository === repo)).toEqual([]);
  const again = await get('v1');
  expect(again.cacheStatus).toMatch(/^regcache; fwd=miss/);
  expect(again.digest).toBe(v2.digest);
});

test('variant A, then B: each Accept set is served its own record and re-checked on its own', async ({ env, regcache }) => {
  const repo = uniqueRepo('swr/variants');
  const v1 = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open({ swr: '300', timeout: LONG_TIMEOUT });
  const events = await listen(page);
  const get = getter(regcache, page, env.proxy.url, repo);
  await get('v1');
  await get('v1', { accept: ACCEPT_OCI });

  const v2 = await pushImage(env.registry.url, repo, 'v1', 'oci', { salt: 'variants' });
  expect((await get('v1')).digest).toBe(v1.digest);
  await waitFor(events, (e) => e.length > 0, 15_000);
  expect((await get('v1')).digest).toBe(v2.digest);
  // B's record still points at v1 until its own check: served at once, then repointed.
  const b = await get('v1', { accept: ACCEPT_OCI });
  expect(b.digest).toBe(v1.digest);
  expect(b.cacheStatus).toContain(SWR);
  await waitFor(events, (e) => e.length > 1, 15_000);
  expect((await get('v1', { accept: ACCEPT_OCI })).digest).toBe(v2.digest);
  // And A again: unchanged.
  expect((await get('v1')).digest).toBe(v2.digest);
});

test('a 404 to the background check drops that variant and says so', async ({ env, regcache }) => {
  const repo = uniqueRepo('swr/gone');
  await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open({ swr: '300' });
  const events = await listen(page);
  const get = getter(regcache, page, env.proxy.url, repo);
  await get('v1');
  await get('v1', { accept: ACCEPT_OCI });

  // The registry no longer serves that variant: the HEAD, and the GET that asks again, get 404.
  env.proxy.addFault({ path: `/v2/${repo}/manifests/v1`, status: 404, times: 2 });
  expect((await get('v1', { accept: ACCEPT_OCI })).cacheStatus).toContain(SWR);
  const [dropped] = await waitFor(events, (e) => e.length > 0, 15_000);
  expect(dropped).toEqual({ type: 'tag-dropped', upstream: env.proxy.url, repository: repo, tag: 'v1', accept: ACCEPT_OCI });
  // That variant is asked upstream again; the other is still served at once.
  expect((await get('v1', { accept: ACCEPT_OCI })).cacheStatus).toMatch(/^regcache; fwd=miss; stored/);
  expect((await get('v1')).cacheStatus).toContain(SWR);
});

test('swr=0 behaves as today: the answer waits for the re-check', async ({ env, regcache }) => {
  const repo = uniqueRepo('swr/off');
  await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open({ timeout: LONG_TIMEOUT });
  const get = getter(regcache, page, env.proxy.url, repo);
  await get('v1');

  const path = `/v2/${repo}/manifests/v1`;
  env.proxy.addFault({ method: 'HEAD', path, hold: true });
  await startFetch(page, `${env.proxy.url}${path}`, { Accept: ACCEPT_ALL });
  await waitFor(
    async () => env.proxy.log.filter((e) => e.fault === 'hold').length,
    (n) => n === 1,
    15_000,
  );
  const order = await releaseAfterNoting(page, env.proxy);
  expect(order).toEqual(['released', expect.stringMatching(/^answered 200 regcache; hit; ttl=\d+; detail=revalidated$/)]);
});

test('a 429 on another repository gates the background check: served stale, nothing asked', async ({ env, regcache }) => {
  const [a, b] = [uniqueRepo('swr/limited'), uniqueRepo('swr/other')];
  await Promise.all([pushImage(env.registry.url, a, 'v1', 'oci'), pushImage(env.registry.url, b, 'v1', 'oci')]);
  const page = await regcache.open({ swr: '300' });
  const getA = getter(regcache, page, env.proxy.url, a);
  const getB = getter(regcache, page, env.proxy.url, b);
  await getA('v1');
  await getB('v1');

  env.proxy.addFault({ method: 'HEAD', path: `/v2/${a}/manifests/v1`, retryAfter: 300 });
  expect((await getA('v1')).cacheStatus).toContain(SWR);
  // The proxy answering the 429 is not the worker having read it: ask A again until its
  // answer shows the gate (each answer before that only starts another check, met by 429).
  const gatedA = await waitFor(
    () => getA('v1'),
    (r) => r.cacheStatus.endsWith('detail=stale'),
    15_000,
  );
  expect(gatedA.cacheStatus).toMatch(/^regcache; hit; fwd-status=429; ttl=\d+; detail=stale$/);
  env.proxy.reset();
  // The gate is upstream's: B's tag is served stale at once, and no check of it is started.
  const gated = await getB('v1');
  expect(gated.status).toBe(200);
  expect(gated.cacheStatus).toMatch(/^regcache; hit; fwd-status=429; ttl=\d+; detail=stale$/);
  expect(env.proxy.count()).toBe(0);
});

authTest('a private record is never served before its re-check, swr or not', async ({ auth, regcache }) => {
  const repo = uniqueRepo('swr/private');
  const img = await push(auth, repo, 'v1');
  const page = await regcache.open({ upstream: auth.proxy.url, swr: '300', timeout: LONG_TIMEOUT });
  const token = await tokenFor(page, auth.tokens, repo);
  const get = getter(regcache, page, auth.proxy.url, repo);
  expect((await get('v1', { token })).cacheStatus).toContain('stored');

  // Without a token: upstream's refusal, never the stored bytes.
  const refused = await get('v1');
  expect(refused.status).toBe(401);
  expect(refused.text).not.toContain(img.body.toString('utf8').slice(0, 40));

  // With the token: the answer comes only after the held re-check was let through.
  const path = `/v2/${repo}/manifests/v1`;
  auth.proxy.addFault({ method: 'HEAD', path, hold: true });
  await startFetch(page, `${auth.proxy.url}${path}`, { Accept: ACCEPT_ALL, Authorization: `Bearer ${token}` });
  await waitFor(
    async () => auth.proxy.log.filter((e) => e.fault === 'hold').length,
    (n) => n === 1,
    15_000,
  );
  const order = await releaseAfterNoting(page, auth.proxy);
  expect(order).toEqual(['released', expect.stringMatching(/^answered 200 regcache; hit; ttl=\d+; detail=revalidated$/)]);
});
