// The worker is stopped through CDP while its upstream fetch is in flight: nothing is
// half-written, the next request works, and the stats agree with what is stored.
import { ACCEPT_ALL, pushImage } from '../../servers/images.js';
import type { FaultRule } from '../../servers/proxy.js';
import { bodyOf, expect, type FetchResult, isFetchError, test, uniqueRepo } from '../support/fixtures.js';
import { checkStore, cs, probeWorker, reliability, sleep, stopWorkerNow } from '../support/hardening.js';
import { dumpDb, entries, pulledCost, stats } from '../support/store-helpers.js';

const all = { headers: { Accept: ACCEPT_ALL } };

function describeResult(r: FetchResult): string {
  return isFetchError(r) ? `a network error (${r.error.split(':')[0]})` : `${r.status}, ${cs(r.headers['cache-status'])}`;
}

const CASES: Array<{ name: string; fault: (path: string) => FaultRule; inFlight: 'delay' | 'trickle' }> = [
  {
    name: 'upstream slowed to 2 s, worker stopped before the answer',
    fault: (path) => ({ method: 'GET', path, delayMs: 2_000, times: 1 }),
    inFlight: 'delay',
  },
  {
    name: 'body trickling in, worker stopped halfway through it',
    fault: (path) => ({ method: 'GET', path, trickle: { intervalMs: 250, chunkBytes: 64 }, times: 1 }),
    inFlight: 'trickle',
  },
];

for (const c of CASES) {
  test(`a restart mid-flight (${c.name}) leaves no half record`, async ({ env, regcache, browser }) => {
    const repo = uniqueRepo('restart');
    const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
    const page = await regcache.open();
    const probe = await probeWorker(browser, env.pageOrigin);
    try {
      const path = `/v2/${repo}/manifests/v1`;
      const url = `${env.proxy.url}${path}`;
      env.proxy.addFault(c.fault(path));

      const pending = regcache.fetchIn(page, url, { ...all, timeoutMs: 20_000 });
      // The worker's GET has reached upstream and is waiting there (or trickling).
      await expect.poll(() => env.proxy.log.some((e) => e.method === 'GET' && e.fault === c.inFlight)).toBe(true);
      if (c.inFlight === 'trickle') await sleep(600);
      await stopWorkerNow(page);
      const interrupted = await pending;
      const first = env.proxy.log.find((e) => e.method === 'GET' && e.fault === c.inFlight)!;
      // The stopped worker's fetch was cut off: upstream never got to answer it.
      if (c.inFlight === 'delay') expect(first.status).toBe(0);
      // Chromium hands the interrupted fetch to a fresh worker; whatever the page got, it
      // was never a wrong or partial body.
      if (!isFetchError(interrupted) && interrupted.status === 200) expect(bodyOf(interrupted).equals(img.body)).toBe(true);

      // The store is whole: no half body, no tag without its manifest, totals right.
      const afterStop = await checkStore(page);
      expect(afterStop.problems).toEqual([]);
      expect(afterStop.manifests).toBeLessThanOrEqual(1);

      // The next requests work, by tag and by digest.
      for (const ref of ['v1', img.digest]) {
        const next = await regcache.fetchIn(page, `${env.proxy.url}/v2/${repo}/manifests/${ref}`, all);
        if (isFetchError(next)) throw new Error(`after the restart: ${next.error}`);
        expect(next.status).toBe(200);
        expect(bodyOf(next).equals(img.body)).toBe(true);
      }
      const store = await checkStore(page);
      expect(store.problems).toEqual([]);
      expect(store).toMatchObject({
        manifests: 1,
        tags: 1,
        bytes: pulledCost(env.proxy.url, repo, img, { name: 'v1', accept: ACCEPT_ALL }),
      });

      // Stats agree with the store, and never claim more upstream traffic than there was.
      const s = await stats(page);
      expect(s.storedBytes).toBe(store.bytes);
      const listed = await entries(page);
      expect(listed.filter((e) => e.kind === 'manifest').map((e) => e.digest)).toEqual([img.digest]);
      const gets = env.proxy.count({ method: 'GET', path: `/v2/${repo}/manifests/` });
      expect(s.upstreamGets).toBeGreaterThanOrEqual(1);
      expect(s.upstreamGets).toBeLessThanOrEqual(gets);
      expect(s.hits + s.misses + s.stale).toBeLessThanOrEqual(s.requests);
      expect(probe.exceptions).toEqual([]);
      reliability(
        `worker stopped through CDP mid-flight: ${c.name}`,
        `the page got ${describeResult(interrupted)} (Chromium re-ran the fetch in a fresh worker); store whole (every body hashes to its digest, byte total = ${store.bytes}); next requests 200; stats.storedBytes equals it and upstreamGets is no more than upstream saw; no uncaught error`,
      );
    } finally {
      await probe.stop();
    }
  });
}

// The expiry extension after a confirming HEAD is written after the answer, in a batch
// (src/sw/storage/extensions.ts). A worker stopped right after the answer may lose it; it
// must never lose more: the record stays whole and is served as it was.
test('a worker stopped right after a re-checked answer keeps the record whole and serves it after the restart', async ({
  env,
  regcache,
}) => {
  const repo = uniqueRepo('extend-stop');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open({ ttl: '60' });
  const url = `${env.proxy.url}/v2/${repo}/manifests/v1`;
  await regcache.fetchIn(page, url, all);
  const before = await dumpDb(page);
  await sleep(1_100);
  const again = await regcache.fetchIn(page, url, all);
  if (isFetchError(again)) throw new Error(again.error);
  expect(cs(again.headers['cache-status'])).toBe('regcache; hit; detail=revalidated');
  await stopWorkerNow(page);

  // Stopped before or after the batched write: the extension landed on both records or on none.
  const after = await dumpDb(page);
  const lived = [after.manifests[0]!.expiresAt - before.manifests[0]!.expiresAt, after.tags[0]!.expiresAt - before.tags[0]!.expiresAt];
  expect(lived[0] === 0 ? lived : lived.map((d) => d >= 1_000)).toEqual(lived[0] === 0 ? [0, 0] : [true, true]);

  // The restarted worker re-checks and serves the same bytes; nothing is fetched again.
  const next = await regcache.fetchIn(page, url, all);
  if (isFetchError(next)) throw new Error(next.error);
  expect(next.status).toBe(200);
  expect(cs(next.headers['cache-status'])).toBe('regcache; hit; detail=revalidated');
  expect(bodyOf(next).equals(img.body)).toBe(true);
  expect(env.proxy.count({ method: 'GET', path: `/v2/${repo}/manifests/` })).toBe(1);
  expect((await checkStore(page)).problems).toEqual([]);
});
