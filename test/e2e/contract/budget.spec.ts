import { ACCEPT_ALL, pushImage } from '../../servers/images.js';
import { bodyOf, expect, isFetchError, registerIn, test, uniqueRepo } from '../support/fixtures.js';
import { dumpDb, entries, stats } from '../support/store-helpers.js';

test('maxBytes evicts the least recently used records first', async ({ env, regcache }) => {
  const repo = uniqueRepo('budget');
  const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((t) => pushImage(env.registry.url, repo, t, 'oci', { salt: t })));
  // Room for two of these manifests, not three.
  const budget = a!.size + b!.size + Math.floor(c!.size / 2);
  const page = await regcache.open({ maxBytes: String(budget) });
  const get = (digest: string) =>
    regcache.fetchIn(page, `${env.proxy.url}/v2/${repo}/manifests/${digest}`, { headers: { Accept: ACCEPT_ALL } });

  await get(a!.digest);
  await get(b!.digest);
  // A is used again, so B is now the least recently used.
  const hit = await get(a!.digest);
  expect(isFetchError(hit) ? '' : hit.headers['cache-status']).toMatch(/^regcache; hit/);
  await get(c!.digest);

  const kept = (await entries(page)).map((e) => e.reference).sort();
  expect(kept).toEqual([a!.digest, c!.digest].sort());
  const s = await stats(page);
  expect(s.evicted).toBe(1);
  expect(s.storedBytes).toBe(a!.size + c!.size);
  expect(s.storedBytes).toBeLessThanOrEqual(budget);
});

test('a full quota still answers from upstream and leaves no half record', async ({ engine, env, regcache }) => {
  test.skip(engine === 'firefox', 'needs CDP: Storage.overrideQuotaForOrigin (Firefox has no per-origin quota override)');
  const repo = uniqueRepo('quota');
  const images = await Promise.all(['x', 'y'].map((t) => pushImage(env.registry.url, repo, t, 'docker-list', { salt: t })));
  // Chromium fixes a storage bucket's quota when the bucket is created, so the override
  // comes before the worker ever opens its database.
  const page = await regcache.blank();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: env.pageOrigin, quotaSize: 1 });
  expect(await registerIn(page, regcache.scriptUrl())).toEqual({ ok: true });
  await page.reload();
  try {
    for (const img of images) {
      for (const ref of [img.tag, img.digest, ...img.children.map((c) => c.digest)]) {
        const got = await regcache.fetchIn(page, `${env.proxy.url}/v2/${repo}/manifests/${ref}`, {
          headers: { Accept: ACCEPT_ALL },
        });
        const expected = ref === img.tag || ref === img.digest ? img.body : img.children.find((c) => c.digest === ref)!.body;
        expect(bodyOf(got).equals(expected)).toBe(true);
        expect(isFetchError(got) ? '' : got.headers['cache-status']).not.toContain('stored');
      }
    }
    const db = await dumpDb(page);
    const digests = new Set(db.manifests.map((m) => m.digest));
    // Every tag points at a stored manifest, and every stored manifest is whole.
    expect(db.tags.every((t) => digests.has(t.digest))).toBe(true);
    expect(db.manifests.every((m) => m.bodyLength === m.size)).toBe(true);
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: env.pageOrigin });
    await cdp.detach();
  }
});

test('a QuotaExceededError evicts and retries the write once', async ({ engine, env, regcache }) => {
  test.skip(engine === 'firefox', 'needs CDP: Storage.overrideQuotaForOrigin (Firefox has no per-origin quota override)');
  const page = await regcache.blank();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: env.pageOrigin, quotaSize: 1_600_000 });
  expect(await registerIn(page, regcache.scriptUrl())).toEqual({ ok: true });
  await page.reload();
  // Two 1 MiB manifests cannot both fit under this quota.
  const repo = uniqueRepo('quota-retry');
  env.proxy.addFault({ method: 'GET', path: `/v2/${repo}/manifests/`, oversizeBytes: 1024 * 1024 });
  const get = (tag: string) =>
    regcache.fetchIn(page, `${env.proxy.url}/v2/${repo}/manifests/${tag}`, {
      headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
  const first = await get('one');
  expect(isFetchError(first) ? '' : first.headers['cache-status']).toContain('stored');
  const second = await get('two');
  expect(bodyOf(second).length).toBe(1024 * 1024);
  expect(isFetchError(second) ? '' : second.headers['cache-status']).toContain('stored');
  const list = await entries(page);
  expect(list.filter((e) => e.kind === 'tag').map((e) => e.reference)).toEqual(['two']);
  expect((await stats(page)).evicted).toBeGreaterThanOrEqual(1);
  await cdp.detach();
});
