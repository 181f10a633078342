import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { ACCEPT_ALL, OCI_MANIFEST, pushImage, sha256 } from '../../servers/images.js';
import { bodyOf, expect, isFetchError, registerIn, test, uniqueRepo } from '../support/fixtures.js';
import { checkStore } from '../support/hardening.js';
import { dumpDb, entries, pulledCost, stats } from '../support/store-helpers.js';

// What the origin stores, as the browser's quota counts it.
function usage(page: Page): Promise<number> {
  return page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
}

test('maxBytes evicts the least recently used records first', async ({ env, regcache }) => {
  const repo = uniqueRepo('budget');
  const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((t) => pushImage(env.registry.url, repo, t, 'oci', { salt: t })));
  const cost = (img: typeof a) => pulledCost(env.proxy.url, repo, img!);
  // Room for two of these manifests, not three.
  const budget = cost(a) + cost(b) + Math.floor(cost(c) / 2);
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
  expect(s.storedBytes).toBe(cost(a) + cost(c));
  expect(s.storedBytes).toBeLessThanOrEqual(budget);
});

test('a full quota still answers from upstream and leaves no half record', async ({ engine, env, regcache }) => {
  test.skip(engine === 'firefox', 'needs CDP: Storage.overrideQuotaForOrigin (Firefox has no per-origin quota override)');
  test.skip(
    engine === 'webkit',
    'needs CDP: Storage.overrideQuotaForOrigin (WebKitGTK sets quotas only through its embedding API, which neither WebDriver nor MiniBrowser exposes)',
  );
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
  test.skip(
    engine === 'webkit',
    'needs CDP: Storage.overrideQuotaForOrigin (WebKitGTK sets quotas only through its embedding API, which neither WebDriver nor MiniBrowser exposes)',
  );
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

// docs/api.md, "What maxBytes counts": the database's own pages beyond its records.
const SLACK = 64 * 1024;

test('many tiny-body records stay within maxBytes, as the browser counts storage', async ({ env, regcache, engine }) => {
  test.skip(engine === 'webkit', "measures the origin's storage with navigator.storage.estimate(), which WebKitGTK does not have");
  test.setTimeout(180_000);
  const maxBytes = 256 * 1024;
  const count = 400;
  const base = uniqueRepo('budget/tiny');
  // A two-byte body with kept headers of the length regcache accepts, random so that no
  // engine can compress them away: the body is the least of what each record stores.
  const body = '{}';
  const filler = () => randomBytes(750).toString('base64url');
  env.proxy.addFault({
    method: 'GET',
    path: new RegExp(`^/v2/${base}/r\\d+/manifests/v1$`),
    status: 200,
    headers: {
      'Content-Type': OCI_MANIFEST,
      'Docker-Content-Digest': sha256(Buffer.from(body)),
      Etag: `"${filler()}"`,
      'Docker-Distribution-Api-Version': filler(),
    },
    body,
  });
  const page = await regcache.open({ maxBytes: String(maxBytes) });
  const before = await usage(page);

  const urls = Array.from({ length: count }, (_, i) => `${env.proxy.url}/v2/${base}/r${i}/manifests/v1`);
  const answers = await page.evaluate(
    async ({ urls, accept }) => {
      const out: string[] = [];
      for (let i = 0; i < urls.length; i += 8) {
        const batch = urls.slice(i, i + 8).map(async (url) => {
          const res = await fetch(url, { headers: { Accept: accept } });
          return `${res.status} ${await res.text()} ${res.headers.get('Cache-Status') ?? ''}`;
        });
        out.push(...(await Promise.all(batch)));
      }
      return out;
    },
    { urls, accept: OCI_MANIFEST },
  );
  expect(answers.filter((a) => !a.startsWith('200 {} regcache; fwd=miss; stored'))).toEqual([]);

  const s = await stats(page);
  const store = await checkStore(page);
  expect(store.problems).toEqual([]);
  // Firefox keeps new pages in its write-ahead log until the connection has been idle for a
  // few seconds: the space the records take is what is left after that.
  let grown = 0;
  try {
    await expect
      .poll(async () => (grown = (await usage(page)) - before), { timeout: 30_000, intervals: [1_000] })
      .toBeLessThanOrEqual(maxBytes + SLACK);
  } finally {
    console.log(
      `${engine}: ${count} tiny-body records, maxBytes=${maxBytes}: storedBytes ${s.storedBytes}, ${store.manifests} manifests and ${store.tags} tags kept, ${s.evicted} evicted; estimate() grew ${grown} bytes (from ${before})`,
    );
  }
  // estimate() does see the records (a fresh context may keep them in memory: it still counts them).
  expect(grown).toBeGreaterThan(0);
  expect(s.storedBytes).toBeLessThanOrEqual(maxBytes);
  expect(s.evicted).toBeGreaterThan(0);
});
