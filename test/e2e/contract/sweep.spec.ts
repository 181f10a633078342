import { ACCEPT_ALL, pushImage } from '../../servers/images.js';
import { bodyOf, expect, isFetchError, test, uniqueRepo } from '../support/fixtures.js';
import { client, countDb, entries, seedRecords, stats } from '../support/store-helpers.js';

test('a sweep visits about what it deletes, not what is stored', async ({ env, regcache }) => {
  test.setTimeout(120_000);
  const page = await regcache.open({ ttl: '3600' });
  // Let the worker create its schema before the test writes into it.
  await client(page, 'stats');
  await seedRecords(page, env.proxy.url, 20_000, 100);

  const report = await client<{ deleted: number; visited: number }>(page, 'sweep');
  expect(report.deleted).toBe(100);
  // Each expired manifest is one index hit plus one look-up of tags pointing at it.
  expect(report.visited).toBeLessThanOrEqual(110);
  expect(report.visited).toBeGreaterThanOrEqual(100);

  const s = await stats(page);
  expect(s.lastSweepDeleted).toBe(100);
  expect(s.lastSweepVisited).toBe(report.visited);
  expect(s.expired).toBe(100);

  expect(await countDb(page)).toEqual({ manifests: 19_900, tags: 19_900, expired: 0 });
});

test('a sweep racing with writes and hits loses nothing and resurrects nothing', async ({ env, regcache }) => {
  test.setTimeout(120_000);
  const repo = uniqueRepo('race');
  // One at a time: distribution can refuse a manifest when the same layer blob is being
  // uploaded to the repository by a concurrent push (MANIFEST_BLOB_UNKNOWN, seen in CI).
  const images = [];
  for (let i = 0; i < 6; i++) images.push(await pushImage(env.registry.url, repo, `t${i}`, 'oci', { salt: `s${i}` }));
  const page = await regcache.open({ ttl: '3600' });
  await client(page, 'stats');
  const get = (ref: string) => regcache.fetchIn(page, `${env.proxy.url}/v2/${repo}/manifests/${ref}`, { headers: { Accept: ACCEPT_ALL } });
  // Half are stored before the sweep and read during it; half are written during it.
  for (const img of images.slice(0, 3)) await get(img.digest);
  await seedRecords(page, env.proxy.url, 5_000, 2_000);

  const [report, ...answers] = await Promise.all([
    client<{ deleted: number; visited: number }>(page, 'sweep'),
    ...images.map((img) => get(img.digest)),
  ]);
  expect(report.deleted).toBe(2_000);
  for (const [i, a] of answers.entries()) expect(bodyOf(a).equals(images[i]!.body)).toBe(true);
  for (const a of answers.slice(0, 3)) expect(isFetchError(a) ? '' : a.headers['cache-status']).toMatch(/^regcache; hit/);

  expect(await countDb(page)).toMatchObject({ manifests: 3_000 + 6, expired: 0 });
  const stored = (await entries(page)).filter((e) => e.repository === repo && e.kind === 'manifest');
  expect(stored.map((e) => e.digest).sort()).toEqual(images.map((i) => i.digest).sort());
});
