import { expect, test } from './fixtures.js';
import { client, dumpDb, seedRecords, stats } from './store-helpers.js';

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

  const left = await dumpDb(page);
  expect(left.manifests).toHaveLength(19_900);
  expect(left.tags).toHaveLength(19_900);
  expect(left.manifests.every((m) => m.expiresAt > Date.now())).toBe(true);
});
