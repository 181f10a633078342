import { ACCEPT_ALL, pushImage } from '../../servers/images.js';
import { bodyOf, expect, isFetchError, test, uniqueRepo } from '../support/fixtures.js';
import { dumpDb, entries, startWorker, stats, waitFor } from '../support/store-helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test.describe('expiry', () => {
  test('the alarm alone deletes an expired record, with no page requests', async ({ env, regcache }) => {
    const repo = uniqueRepo('alarm');
    await pushImage(env.registry.url, repo, 'v1', 'oci');
    const page = await regcache.open({ ttl: '2' });
    const got = await regcache.fetchIn(page, `${env.proxy.url}/v2/${repo}/manifests/v1`, { headers: { Accept: ACCEPT_ALL } });
    expect(bodyOf(got).length).toBeGreaterThan(0);
    expect((await entries(page)).length).toBe(2);
    env.proxy.reset();

    const left = await waitFor(
      () => entries(page),
      (e) => e.length === 0,
      4_000,
    );
    expect(left).toEqual([]);
    // Nothing reached upstream: the alarm, not a request, did it.
    expect(env.proxy.count()).toBe(0);
    expect((await stats(page)).expired).toBe(2);
  });

  test('a restarted worker deletes what expired while it was stopped, at start', async ({ engine, env, regcache }) => {
    test.skip(
      engine === 'webkit',
      'needs a page reading the store while the worker is stopped, then a start without any event: in WebKit, loading a page of the origin starts its worker, and nothing else starts one',
    );
    const repo = uniqueRepo('restart');
    await pushImage(env.registry.url, repo, 'v1', 'oci');
    const page = await regcache.open({ ttl: '2' });
    await regcache.fetchIn(page, `${env.proxy.url}/v2/${repo}/manifests/v1`, { headers: { Accept: ACCEPT_ALL } });
    await regcache.stopWorker(page);
    env.proxy.reset();
    await sleep(4_000);

    // Stopped, the worker could not sweep: the expired records are still there.
    const before = await dumpDb(page);
    expect(before.manifests).toHaveLength(1);
    expect(before.tags).toHaveLength(1);
    expect(before.meta.alarm).toBe(before.manifests[0]!.expiresAt);

    await startWorker(page);
    const after = await waitFor(
      () => dumpDb(page),
      (d) => d.manifests.length + d.tags.length === 0,
      5_000,
    );
    expect(after.manifests).toEqual([]);
    expect(after.tags).toEqual([]);
    expect(env.proxy.count()).toBe(0);
  });

  test('activating a new worker version sweeps expired records', async ({ engine, env, regcache }) => {
    test.skip(
      engine === 'webkit',
      'needs a page reading the store while the worker is stopped: in WebKit, loading a page of the origin starts its worker, whose sweep at start goes before the new version',
    );
    const repo = uniqueRepo('version');
    await pushImage(env.registry.url, repo, 'v1', 'oci');
    const page = await regcache.open({ ttl: '2' });
    await regcache.fetchIn(page, `${env.proxy.url}/v2/${repo}/manifests/v1`, { headers: { Accept: ACCEPT_ALL } });
    await regcache.stopWorker(page);
    await sleep(2_500);
    expect((await dumpDb(page)).manifests).toHaveLength(1);

    // Another script URL for the same scope is a new version.
    const next = `/regcache-sw.js?ttl=02&upstream=${encodeURIComponent(env.proxy.url)}`;
    const activated = await page.evaluate(async (script) => {
      const reg = await navigator.serviceWorker.register(script, { scope: '/' });
      const sw = reg.installing ?? reg.waiting ?? reg.active!;
      if (sw.state !== 'activated') {
        await new Promise<void>((resolve) => sw.addEventListener('statechange', () => sw.state === 'activated' && resolve()));
      }
      return sw.scriptURL;
    }, next);
    expect(activated).toContain('ttl=02');
    const after = await waitFor(
      () => dumpDb(page),
      (d) => d.manifests.length === 0,
      5_000,
    );
    expect(after.manifests).toEqual([]);
    expect(after.tags).toEqual([]);
  });

  test('an expired record is not served offline', async ({ env, regcache }) => {
    const repo = uniqueRepo('expired-offline');
    const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
    const page = await regcache.open({ ttl: '1' });
    const url = `${env.proxy.url}/v2/${repo}/manifests/${img.digest}`;
    await regcache.fetchIn(page, url, { headers: { Accept: ACCEPT_ALL } });
    env.proxy.offline(true);
    // Still fresh: served offline.
    expect(bodyOf(await regcache.fetchIn(page, url, { headers: { Accept: ACCEPT_ALL } })).equals(img.body)).toBe(true);
    await sleep(1_500);
    const late = await regcache.fetchIn(page, url, { headers: { Accept: ACCEPT_ALL } });
    expect(isFetchError(late)).toBe(true);
  });

  test('a HEAD re-check moves both expiries forward', async ({ env, regcache }) => {
    const repo = uniqueRepo('extend');
    await pushImage(env.registry.url, repo, 'v1', 'oci');
    const page = await regcache.open({ ttl: '60' });
    const url = `${env.proxy.url}/v2/${repo}/manifests/v1`;
    await regcache.fetchIn(page, url, { headers: { Accept: ACCEPT_ALL } });
    const first = await entries(page);
    await sleep(1_100);
    const again = await regcache.fetchIn(page, url, { headers: { Accept: ACCEPT_ALL } });
    expect(isFetchError(again) ? '' : again.headers['cache-status']).toContain('detail=revalidated');
    expect(env.proxy.count({ method: 'HEAD' })).toBe(1);
    const second = await entries(page);
    for (const kind of ['tag', 'manifest'] as const) {
      const a = first.find((e) => e.kind === kind)!;
      const b = second.find((e) => e.kind === kind)!;
      expect(b.expiresAt! - a.expiresAt!).toBeGreaterThanOrEqual(1_000);
      expect(b.confirmedAt - a.confirmedAt).toBeGreaterThanOrEqual(1_000);
    }
  });

  test('ttl=0 keeps records without an expiry', async ({ env, regcache }) => {
    const repo = uniqueRepo('forever');
    await pushImage(env.registry.url, repo, 'v1', 'oci');
    const page = await regcache.open({ ttl: '0' });
    const got = await regcache.fetchIn(page, `${env.proxy.url}/v2/${repo}/manifests/v1`, { headers: { Accept: ACCEPT_ALL } });
    expect(isFetchError(got) ? '' : got.headers['cache-status']).not.toContain('ttl=');
    const list = await entries(page);
    expect(list).toHaveLength(2);
    expect(list.every((e) => e.expiresAt === null)).toBe(true);
    expect((await dumpDb(page)).meta.alarm ?? null).toBeNull();
  });
});
