import type { Page } from '@playwright/test';
import type { RegcacheEvent } from '../../../src/core/protocol.js';
import { ACCEPT_ALL, pushImage } from '../../servers/images.js';
import { expect, isFetchError, type Regcache, test, uniqueRepo } from '../support/fixtures.js';
import { client, entries, pulledCost, stats, waitFor } from '../support/store-helpers.js';

function getter(regcache: Regcache, page: Page, base: string) {
  return async (repo: string, ref: string) => {
    const got = await regcache.fetchIn(page, `${base}/v2/${repo}/manifests/${ref}`, { headers: { Accept: ACCEPT_ALL } });
    if (isFetchError(got)) throw new Error(got.error);
    return got.headers['cache-status'] ?? '';
  };
}

test('purge by repository and by reference, then clear', async ({ env, regcache }) => {
  const [r1, r2] = [uniqueRepo('purge-a'), uniqueRepo('purge-b')];
  const [a, b] = await Promise.all([pushImage(env.registry.url, r1, 'v1', 'oci'), pushImage(env.registry.url, r2, 'v1', 'docker')]);
  const page = await regcache.open();
  const get = getter(regcache, page, env.proxy.url);
  for (const [repo, img] of [
    [r1, a],
    [r2, b],
  ] as const) {
    await get(repo, 'v1');
    await get(repo, img.digest);
  }
  expect(await entries(page)).toHaveLength(4);

  // By reference: the tag only; the manifest stays and is still a hit by digest.
  expect(await client(page, 'purge', { repository: r1, reference: 'v1' })).toEqual({ deleted: 1 });
  expect(await get(r1, a.digest)).toMatch(/^regcache; hit/);
  expect(await get(r1, 'v1')).toContain('fwd=miss');

  // By repository: everything of r1 goes, r2 is untouched.
  expect(await client(page, 'purge', { repository: r1 })).toEqual({ deleted: 2 });
  const left = await entries(page);
  expect(left.every((e) => e.repository === r2)).toBe(true);
  expect(left).toHaveLength(2);
  expect(await get(r1, a.digest)).toContain('fwd=miss');

  // By digest: the manifest and the tag that points at it.
  expect(await client(page, 'purge', { reference: b.digest })).toEqual({ deleted: 2 });
  expect(await get(r2, 'v1')).toContain('fwd=miss');

  // Left: r1's manifest fetched again by digest, r2's manifest and tag fetched again.
  expect((await client<{ deleted: number }>(page, 'clear')).deleted).toBe(3);
  expect(await entries(page)).toEqual([]);
  expect((await stats(page)).storedBytes).toBe(0);

  await expect(client(page, 'purge', { repo: r1 })).rejects.toThrow(/unknown filter key "repo"/);
});

test('entries describe each record', async ({ env, regcache }) => {
  const repo = uniqueRepo('entries');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open({ ttl: '600' });
  const before = Date.now();
  await getter(regcache, page, env.proxy.url)(repo, 'v1');
  const list = await entries(page);
  const manifest = list.find((e) => e.kind === 'manifest')!;
  const tag = list.find((e) => e.kind === 'tag')!;
  expect(manifest).toMatchObject({
    upstream: env.proxy.url,
    repository: repo,
    reference: img.digest,
    digest: img.digest,
    mediaType: img.mediaType,
    size: img.size,
  });
  expect(tag).toMatchObject({ upstream: env.proxy.url, repository: repo, reference: 'v1', digest: img.digest });
  // The Accept set spelt out, sorted, though the key stores known types as codes.
  expect(tag.accept).toBe(
    ACCEPT_ALL.split(',')
      .map((t) => t.trim())
      .sort()
      .join(','),
  );
  for (const e of [manifest, tag]) {
    expect(e.fetchedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(e.expiresAt! - e.fetchedAt).toBe(600_000);
    expect(e.lastUsed).toBeGreaterThanOrEqual(e.fetchedAt);
  }
});

test('stats count what happened and survive a worker restart', async ({ env, regcache }) => {
  const repo = uniqueRepo('stats');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open();
  const get = getter(regcache, page, env.proxy.url);
  await get(repo, 'v1'); // miss: one GET
  await get(repo, 'v1'); // re-checked hit: one HEAD
  await get(repo, img.digest); // hit
  env.proxy.offline(true);
  await get(repo, 'v1'); // stale
  env.proxy.offline(false);

  const s = await stats(page);
  expect(s).toMatchObject({
    requests: 4,
    hits: 2,
    misses: 1,
    stale: 1,
    rechecks: 2,
    upstreamGets: 1,
    upstreamHeads: 2,
    bytesPulled: img.size,
    bytesServed: 4 * img.size,
    verificationFailures: 0,
    // The manifest and its tag, each with its headers, keys and overhead.
    storedBytes: pulledCost(env.proxy.url, repo, img, { name: 'v1', accept: ACCEPT_ALL }),
  });

  await regcache.stopWorker(page);
  expect(await stats(page)).toEqual(s);
});

test('a BroadcastChannel tells pages about moved tags and expiries', async ({ env, regcache }) => {
  const repo = uniqueRepo('events');
  const v1 = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open({ ttl: '3' });
  await page.evaluate(async () => {
    const mod = await import('/client.js' as string);
    const w = window as unknown as { events: unknown[] };
    w.events = [];
    mod.createClient().onEvent((e: unknown) => w.events.push(e));
  });
  const get = getter(regcache, page, env.proxy.url);
  await get(repo, 'v1');
  const v2 = await pushImage(env.registry.url, repo, 'v1', 'oci', { salt: 'moved' });
  await get(repo, 'v1');

  const events = await waitFor(
    () => page.evaluate(() => (window as unknown as { events: RegcacheEvent[] }).events),
    (e) => e.some((x) => x.type === 'expired'),
    6_000,
  );
  expect(events).toContainEqual({
    type: 'tag-moved',
    upstream: env.proxy.url,
    repository: repo,
    tag: 'v1',
    from: v1.digest,
    to: v2.digest,
  });
  expect(events.find((e) => e.type === 'expired')).toMatchObject({ type: 'expired' });
});
