// exportBundle() and importBundle() (regcache/client) in a real browser, against the worker's
// own IndexedDB store and a real registry. The page runs the client's bundle code from
// dist/playwright-page.js, which the static server serves on the page origin.
import type { Page } from '@playwright/test';
import { pushImage } from '../../servers/images.js';
import { expect, test, uniqueRepo } from '../support/fixtures.js';
import { manifestAnswer, withBundleCode } from '../support/manifest-answer.js';
import { client, entries } from '../support/store-helpers.js';

interface Bundle {
  manifests: Array<{ repository: string; digest: string; body: string; private: boolean; confirmedAt: number }>;
  tags: Array<{ repository: string; tag: string; digest: string; private: boolean; confirmedAt: number }>;
}
interface PageBundles {
  __regcachePlaywright: {
    importBundle(
      text: string,
      ttl: number,
    ): Promise<{ manifests: number; tags: number; unchanged: number; rejected: Array<{ code: string; reference: string }> }>;
    exportBundle(filter?: object): Promise<string>;
  };
}

const withBundles = withBundleCode;
const exportFrom = async (page: Page, filter?: object): Promise<Bundle> =>
  JSON.parse(await page.evaluate((f) => (window as unknown as PageBundles).__regcachePlaywright.exportBundle(f), filter));
const importInto = (page: Page, bundle: unknown) =>
  page.evaluate(
    (text) => (window as unknown as PageBundles).__regcachePlaywright.importBundle(text, 3600),
    typeof bundle === 'string' ? bundle : JSON.stringify(bundle),
  );

const get = manifestAnswer;

test('an exported store imported again serves by digest with nothing upstream; a flipped byte is refused with its tag, and nothing of it is stored', async ({
  env,
  regcache,
}) => {
  const [r1, r2] = [uniqueRepo('bundle-a'), uniqueRepo('bundle-b')];
  const [a, b] = await Promise.all([pushImage(env.registry.url, r1, 'v1', 'oci'), pushImage(env.registry.url, r2, 'v1', 'docker')]);
  const page = await regcache.open({ ttl: '3600' });
  await withBundles(page);
  for (const [repo, img] of [
    [r1, a],
    [r2, b],
  ] as const) {
    await get(regcache, page, env, repo, 'v1');
    await get(regcache, page, env, repo, img.digest);
  }
  const bundle = await exportFrom(page);
  expect(bundle.manifests.map((m) => m.digest).sort()).toEqual([a.digest, b.digest].sort());
  expect(bundle.tags.map((t) => `${t.repository}:${t.tag}`).sort()).toEqual([`${r1}:v1`, `${r2}:v1`].sort());

  // One byte of r2's manifest flipped.
  const damaged = structuredClone(bundle);
  const m2 = damaged.manifests.find((m) => m.repository === r2)!;
  const bytes = Buffer.from(m2.body, 'base64');
  bytes[5] = bytes[5]! ^ 0x20;
  m2.body = bytes.toString('base64');

  await client(page, 'clear');
  const report = await importInto(page, damaged);
  expect(report).toMatchObject({ manifests: 1, tags: 1 });
  expect(report.rejected.map((r) => `${r.code} ${r.reference}`).sort()).toEqual(
    [`DIGEST_INVALID ${b.digest}`, 'MANIFEST_UNKNOWN v1'].sort(),
  );
  expect((await entries(page)).map((e) => `${e.repository} ${e.reference}`).sort()).toEqual([`${r1} ${a.digest}`, `${r1} v1`].sort());

  env.proxy.reset();
  expect((await get(regcache, page, env, r1, a.digest)).cacheStatus).toMatch(/^regcache; hit/);
  expect((await get(regcache, page, env, r1, 'v1')).cacheStatus).toMatch(/^regcache; hit; .*detail=revalidated/);
  expect(env.proxy.count({ method: 'GET', path: /\/manifests\// })).toBe(0);
  // What was refused is fetched again, as if never stored.
  expect((await get(regcache, page, env, r2, 'v1')).cacheStatus).toMatch(/fwd=miss/);
});

test('an import the running worker holds other records for: the worker reads the imported ones (it drops its in-memory copy)', async ({
  env,
  regcache,
}) => {
  const repo = uniqueRepo('bundle-reload');
  const [a, b] = [
    await pushImage(env.registry.url, repo, 'v1', 'oci'),
    await pushImage(env.registry.url, repo, 'v2', 'oci', { salt: 'b' }),
  ];
  // fresh: a stored tag is served without asking upstream, from the worker's memory once read.
  const page = await regcache.open({ fresh: '3600' });
  await withBundles(page);
  expect((await get(regcache, page, env, repo, 'v1')).digest).toBe(a.digest);
  expect((await get(regcache, page, env, repo, 'v1')).cacheStatus).toMatch(/^regcache; hit; ttl=\d+$/);
  await get(regcache, page, env, repo, 'v2');
  // A bundle saying v1 was confirmed later, at b.
  const bundle = await exportFrom(page, { repository: repo, reference: 'v2' });
  bundle.tags[0] = { ...bundle.tags[0]!, tag: 'v1', confirmedAt: Date.now() };
  expect(await importInto(page, bundle)).toMatchObject({ tags: 1, rejected: [] });
  env.proxy.reset();
  const after = await get(regcache, page, env, repo, 'v1');
  expect(after).toMatchObject({ digest: b.digest, cacheStatus: expect.stringMatching(/^regcache; hit; ttl=\d+$/) });
  expect(env.proxy.count({ path: /\/manifests\// })).toBe(0);
});

test('private records are exported only when asked for by name', async ({ env, regcache }) => {
  const repo = uniqueRepo('bundle-private');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open();
  await withBundles(page);
  await get(regcache, page, env, repo, 'v1');
  const bundle = await exportFrom(page);
  for (const record of [...bundle.manifests, ...bundle.tags]) record.private = true;
  await client(page, 'clear');
  expect(await importInto(page, bundle)).toMatchObject({ manifests: 1, tags: 1, rejected: [] });
  expect(await exportFrom(page)).toMatchObject({ manifests: [], tags: [] });
  expect(await exportFrom(page, { repository: repo })).toMatchObject({ manifests: [], tags: [] });
  await expect(exportFrom(page, { repository: repo, includePrivate: true })).rejects.toThrow(
    /includePrivate needs the upstream and the repository named/,
  );
  const named = await exportFrom(page, { upstream: env.proxy.url, repository: repo, includePrivate: true });
  expect(named.manifests.map((m) => [m.digest, m.private])).toEqual([[img.digest, true]]);
  expect(named.tags.map((t) => [t.tag, t.private])).toEqual([['v1', true]]);
});

test('a truncated bundle and a future version are refused whole, and store nothing', async ({ env, regcache }) => {
  const repo = uniqueRepo('bundle-bad');
  await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open();
  await withBundles(page);
  await get(regcache, page, env, repo, 'v1');
  const text = JSON.stringify(await exportFrom(page));
  await client(page, 'clear');
  await expect(importInto(page, text.slice(0, text.length - 20))).rejects.toThrow(/not valid JSON \(truncated or damaged\?\)/);
  await expect(importInto(page, text.replace('"version":1', '"version":2'))).rejects.toThrow(
    /bundle version 2 is not understood by this regcache/,
  );
  expect(await entries(page)).toEqual([]);
});
