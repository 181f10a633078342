// Schema upgrades: databases left by schemas 1, 2 and 3, one from a newer version, and a second
// worker version taking over while the first still serves a page, with and without a
// schema change. No request fails, and nothing that should survive is lost.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { acceptKey, parseAccept } from '../../../src/core/http/accept.js';
import { manifestCost, tagCost } from '../../../src/sw/storage/record-cost.js';
import { SCHEMA_VERSION } from '../../../src/sw/storage/schema.js';
import { ACCEPT_ALL, type PushedImage, pushImage, sha256 } from '../../servers/images.js';
import { expect, type FetchOk, isFetchError, ok, registerIn, test, uniqueRepo } from '../support/fixtures.js';
import { checkStore, cs, dbShape, probeWorker, reliability } from '../support/hardening.js';
import { dumpDb, entries, pulledCost, stats } from '../support/store-helpers.js';

const all = { headers: { Accept: ACCEPT_ALL } };

function digestOf(r: FetchOk): string {
  return sha256(Buffer.from(r.body, 'base64'));
}

const FOUR_TYPES_KEY =
  'application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.docker.distribution.manifest.v2+json,application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json';
const OCI_TYPES_KEY = 'application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json';

interface OldDatabase {
  version: 1 | 2 | 3;
  upstream: string;
  img: PushedImage;
  // The manifest record's body: not the digest's content makes serving it show.
  body: Buffer;
  // Accept sets, as the schema keyed tags by them (1 and 2 spelt them out): one tag record for each.
  acceptKeys: string[];
  // Keep the connection open and ignore versionchange, as an old page that never closes would.
  hold: boolean;
}

/**
 * Leaves a database behind as regcache with schema 1, 2 or 3 wrote it: the three stores with
 * their key paths and indexes, a manifest record, tags pointing at it, and meta (whose byte
 * total counted bodies only).
 */
async function leaveOldSchema(page: Page, old: OldDatabase): Promise<void> {
  const { img, body, ...rest } = old;
  await page.evaluate(
    async ({ version, upstream, repo, tag, digest, mediaType, body, acceptKeys, hold }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('regcache', version);
        req.onupgradeneeded = () => {
          const d = req.result;
          const manifests = d.createObjectStore('manifests', { keyPath: ['upstream', 'repository', 'digest'] });
          manifests.createIndex('by-expiry', 'expiresAt');
          manifests.createIndex('by-last-used', 'lastUsed');
          const tags = d.createObjectStore('tags', { keyPath: ['upstream', 'repository', 'tag', 'accept'] });
          tags.createIndex('by-expiry', 'expiresAt');
          tags.createIndex('by-manifest', ['upstream', 'repository', 'digest']);
          d.createObjectStore('meta');
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const bytes = Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
      const now = Date.now();
      const times = { fetchedAt: now, confirmedAt: now, expiresAt: now + 3_600_000, lastUsed: now };
      // Schema 2 added `private`.
      const extra = version >= 2 ? { private: false } : {};
      const tx = db.transaction(['manifests', 'tags', 'meta'], 'readwrite');
      tx.objectStore('manifests').put({
        upstream,
        repository: repo,
        digest,
        mediaType,
        body: bytes.buffer,
        headers: { contentType: mediaType, dockerContentDigest: digest, etag: `"${digest}"`, apiVersion: 'registry/2.0' },
        size: bytes.byteLength,
        ...times,
        ...extra,
      });
      for (const accept of acceptKeys) tx.objectStore('tags').put({ upstream, repository: repo, tag, accept, digest, ...times, ...extra });
      tx.objectStore('meta').put(bytes.byteLength, 'bytes');
      tx.objectStore('meta').put({ requests: 41, hits: 40 }, 'stats');
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      const w = window as unknown as { oldDb?: IDBDatabase; versionchange?: number };
      if (hold) {
        w.oldDb = db;
        w.versionchange = 0;
        db.onversionchange = () => (w.versionchange = (w.versionchange ?? 0) + 1);
      } else {
        db.close();
      }
    },
    { ...rest, repo: img.repo, tag: img.tag, digest: img.digest, mediaType: img.mediaType, body: body.toString('base64') },
  );
}

for (const hold of [false, true]) {
  test(`a schema-1 database is dropped and rebuilt without failing a request${hold ? ' (upgrade blocked by an old page)' : ''}`, async ({
    env,
    regcache,
    browser,
  }) => {
    const repo = uniqueRepo('schema/v1');
    const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
    const other = await pushImage(env.registry.url, repo, 'other', 'oci', { salt: 'other' });
    const old = await regcache.blank();
    await leaveOldSchema(old, { version: 1, upstream: env.proxy.url, img, body: other.body, acceptKeys: [FOUR_TYPES_KEY], hold });
    expect(await dbShape(old)).toEqual({ version: 1, stores: ['manifests', 'meta', 'tags'] });

    // The worker starts on top of it; with `hold`, its upgrade is blocked by the old page.
    const page = await regcache.open();
    const probe = await probeWorker(browser, env.pageOrigin);
    try {
      const urls = [`${env.proxy.url}/v2/${repo}/manifests/v1`, `${env.proxy.url}/v2/${repo}/manifests/${img.digest}`];
      const first = [];
      for (const url of urls) first.push(ok(await regcache.fetchIn(page, url, all)));
      for (const r of first) {
        // Upstream's bytes, never the schema-1 record.
        expect(r.status).toBe(200);
        expect(digestOf(r)).toBe(img.digest);
      }
      expect(first[0]!.headers['cache-status']).toMatch(/^regcache; fwd=miss/);
      let blockedOutcome = '';
      if (hold) {
        // Blocked: answered from upstream and not stored, rather than waiting on the old page.
        expect(await old.evaluate(() => (window as unknown as { versionchange: number }).versionchange)).toBeGreaterThan(0);
        for (const r of first) expect(r.headers['cache-status']).not.toContain('stored');
        // (Opening it here would queue behind the worker's blocked upgrade: list it instead.)
        expect(await page.evaluate(async () => (await indexedDB.databases()).find((d) => d.name === 'regcache')?.version)).toBe(1);
        blockedOutcome = `while blocked: ${first.map((r) => `${r.status} ${cs(r.headers['cache-status'])}`).join(', ')}; `;
        // The old page lets go: the upgrade goes ahead.
        await old.evaluate(() => (window as unknown as { oldDb: IDBDatabase }).oldDb.close());
        await expect.poll(async () => (await dbShape(page))?.version).toBe(SCHEMA_VERSION);
        for (const url of urls) {
          const r = ok(await regcache.fetchIn(page, url, all));
          expect(r.status).toBe(200);
          expect(digestOf(r)).toBe(img.digest);
        }
      }
      expect(await dbShape(page)).toEqual({ version: SCHEMA_VERSION, stores: ['manifests', 'meta', 'tags'] });
      const store = await checkStore(page);
      expect(store.problems).toEqual([]);
      expect(store).toMatchObject({
        manifests: 1,
        tags: 1,
        bytes: pulledCost(env.proxy.url, repo, img, { name: 'v1', accept: ACCEPT_ALL }),
      });
      // The schema-1 stats went with the rest.
      expect((await stats(page)).requests).toBeLessThan(41);

      env.proxy.offline(true);
      for (const url of urls) {
        const r = ok(await regcache.fetchIn(page, url, all));
        expect(digestOf(r)).toBe(img.digest);
        expect(r.headers['cache-status']).toMatch(/^regcache; hit/);
      }
      expect(probe.exceptions).toEqual([]);
      reliability(
        hold
          ? 'schema-1 database left behind, held open by an old page that ignores versionchange'
          : 'schema-1 database left behind (records with a body that is not their digest)',
        `${blockedOutcome}every request 200 with upstream's bytes (never the schema-1 record); database rebuilt at version ${SCHEMA_VERSION}${hold ? ' once the old page closed' : ''}, stored and served offline after`,
      );
    } finally {
      env.proxy.offline(false);
      await probe.stop();
    }
  });
}

for (const version of [2, 3] as const) {
  test(`a schema-${version} database is upgraded in place: ${version === 2 ? 'tags rekeyed, ' : ''}byte total recounted, nothing lost`, async ({
    env,
    regcache,
    browser,
  }) => {
    const repo = uniqueRepo(`schema/v${version}`);
    const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
    const old = await regcache.blank();
    const spelt = [FOUR_TYPES_KEY, OCI_TYPES_KEY];
    const coded = spelt.map((k) => acceptKey(parseAccept(k)));
    await leaveOldSchema(old, {
      version,
      upstream: env.proxy.url,
      img,
      body: img.body,
      acceptKeys: version === 2 ? spelt : coded,
      hold: false,
    });
    const bytesBefore = (await dumpDb(old)).meta.bytes;
    expect(bytesBefore).toBe(img.size);

    // Inside the fresh window, a tag that survived the upgrade is answered with no upstream call.
    const page = await regcache.open({ fresh: '600' });
    const probe = await probeWorker(browser, env.pageOrigin);
    try {
      const url = `${env.proxy.url}/v2/${repo}/manifests/v1`;
      const answers = [];
      for (const accept of [ACCEPT_ALL, OCI_TYPES_KEY]) {
        const r = ok(await regcache.fetchIn(page, url, { headers: { Accept: accept } }));
        expect(r.status).toBe(200);
        expect(digestOf(r)).toBe(img.digest);
        expect(r.headers['cache-status']).toMatch(/^regcache; hit/);
        answers.push(cs(r.headers['cache-status']));
      }
      expect(env.proxy.count({ path: `/v2/${repo}/` })).toBe(0);

      expect(await dbShape(page)).toEqual({ version: SCHEMA_VERSION, stores: ['manifests', 'meta', 'tags'] });
      const db = await dumpDb(page);
      expect(db.tags.map((t) => t.accept).sort()).toEqual([...coded].sort());
      expect(db.manifests).toHaveLength(1);
      // The total counts what the manifest and both tags cost, as leaveOldSchema wrote them.
      const headers = { contentType: img.mediaType, dockerContentDigest: img.digest, etag: `"${img.digest}"`, apiVersion: 'registry/2.0' };
      const expected =
        manifestCost({ upstream: env.proxy.url, repository: repo, digest: img.digest, mediaType: img.mediaType, headers, size: img.size }) +
        coded.reduce((n, accept) => n + tagCost([env.proxy.url, repo, 'v1', accept], img.digest), 0);
      expect(db.meta.bytes).toBe(expected);
      expect((await stats(page)).storedBytes).toBe(expected);
      expect((await stats(page)).requests).toBeGreaterThanOrEqual(41 + 2);
      // The page client still lists each tag's Accept set spelt out.
      expect(
        (await entries(page))
          .filter((e) => e.kind === 'tag')
          .map((e) => e.accept)
          .sort(),
      ).toEqual([...spelt].sort());
      const store = await checkStore(page);
      expect(store.problems).toEqual([]);
      expect(probe.exceptions).toEqual([]);
      reliability(
        version === 2
          ? 'schema-2 database left behind (tags keyed by the spelt-out Accept set)'
          : 'schema-3 database left behind (byte total of bodies only)',
        `upgraded in place to version ${SCHEMA_VERSION}: ${version === 2 ? `${db.tags.length} tags rekeyed, ` : ''}byte total recounted (${bytesBefore} body bytes → ${db.meta.bytes}, what the manifest and its ${db.tags.length} tags cost), manifest, tags and stats kept; both Accept variants answered from the store (${answers.join(', ')}) with no upstream request`,
      );
    } finally {
      await probe.stop();
    }
  });
}

test('a database from a newer schema: the worker answers from upstream and leaves it alone', async ({ env, regcache, browser }) => {
  const repo = uniqueRepo('schema/newer');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const newer = await regcache.blank();
  await newer.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('regcache', 99);
      req.onupgradeneeded = () => req.result.createObjectStore('future').put({ written: 'by version 99' }, 'k');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    db.close();
  });

  const page = await regcache.open();
  const probe = await probeWorker(browser, env.pageOrigin);
  try {
    const urls = [`${env.proxy.url}/v2/${repo}/manifests/v1`, `${env.proxy.url}/v2/${repo}/manifests/${img.digest}`];
    const answers: FetchOk[] = [];
    for (let round = 0; round < 2; round++) {
      for (const url of urls) answers.push(ok(await regcache.fetchIn(page, url, all)));
    }
    for (const r of answers) {
      expect(r.status).toBe(200);
      expect(digestOf(r)).toBe(img.digest);
      expect(r.headers['cache-status']).toMatch(/^regcache; fwd=miss/);
      expect(r.headers['cache-status']).not.toContain('stored');
    }
    // Every request went upstream: nothing was stored or remembered.
    expect(env.proxy.count({ method: 'GET', path: `/v2/${repo}/manifests/` })).toBe(4);
    env.proxy.offline(true);
    expect(isFetchError(await regcache.fetchIn(page, urls[0]!, all))).toBe(true);
    env.proxy.offline(false);
    // The page client still gets answers.
    expect((await stats(page)).storedBytes).toBe(0);
    // The newer database is untouched.
    expect(await dbShape(page)).toEqual({ version: 99, stores: ['future'] });
    expect(
      await page.evaluate(
        () =>
          new Promise((resolve) => {
            const req = indexedDB.open('regcache');
            req.onsuccess = () => {
              const get = req.result.transaction('future').objectStore('future').get('k');
              get.onsuccess = () => {
                resolve(get.result);
                req.result.close();
              };
            };
          }),
      ),
    ).toEqual({ written: 'by version 99' });
    expect(probe.exceptions).toEqual([]);
    reliability(
      'database from a newer schema (version 99)',
      `${answers.length}/${answers.length} requests 200 from upstream (${cs(answers[0]!.headers['cache-status'])}), nothing stored; the version-99 database and its records untouched; no uncaught error`,
    );
  } finally {
    env.proxy.offline(false);
    await probe.stop();
  }
});

// regcache with its schema one version up: how its next release looks to this one.
const NEXT_SCHEMA_WORKER = `
const open = IDBFactory.prototype.open;
IDBFactory.prototype.open = function (name, version) {
  return name === 'regcache' && version !== undefined ? open.call(this, name, version + 1) : open.call(this, name, version);
};
importScripts('/regcache-sw.js' + self.location.search);
`;

for (const bump of [false, true]) {
  test(`a second worker version${bump ? ' with a newer schema' : ''} activates while the first serves a page mid-request`, async ({
    env,
    regcache,
    browser,
  }) => {
    const repo = uniqueRepo(`schema/handover-${bump ? 'bump' : 'same'}`);
    const stored = await pushImage(env.registry.url, repo, 'v0', 'oci', { salt: 'stored' });
    const slow = await pushImage(env.registry.url, repo, 'v1', 'oci', { salt: 'slow' });
    const dir = await mkdtemp(join(tmpdir(), 'regcache-next-'));
    await writeFile(join(dir, 'regcache-sw-next.js'), NEXT_SCHEMA_WORKER);
    env.pages.addRoot(dir);
    const page = await regcache.open({ ttl: '3600' });
    const probe = await probeWorker(browser, env.pageOrigin);
    try {
      const url = (ref: string) => `${env.proxy.url}/v2/${repo}/manifests/${ref}`;
      expect(ok(await regcache.fetchIn(page, url('v0'), all)).headers['cache-status']).toContain('stored');
      const before = await stats(page);

      // The first version is waiting on upstream for v1 when the second one arrives.
      env.proxy.addFault({ method: 'GET', path: `/v2/${repo}/manifests/v1`, delayMs: 2_000, times: 1 });
      const inFlight = regcache.fetchIn(page, url('v1'), { ...all, timeoutMs: 20_000 });
      await expect.poll(() => env.proxy.log.some((e) => e.fault === 'delay')).toBe(true);
      const next = regcache.scriptUrl({ ttl: '7200' }, bump ? '/regcache-sw-next.js' : undefined);
      const reg = await registerIn(page, next);
      expect(reg).toEqual({ ok: true });
      const answered = ok(await inFlight);
      expect(answered.status).toBe(200);
      expect(digestOf(answered)).toBe(slow.digest);
      await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? '')).toContain('ttl=7200');

      if (bump) {
        // The old worker stepped aside (versionchange), so the upgrade was not blocked.
        expect(await dbShape(page)).toEqual({ version: SCHEMA_VERSION + 1, stores: ['manifests', 'meta', 'tags'] });
      }
      // The new version serves, and stores.
      for (const ref of ['v0', 'v1', stored.digest]) {
        const r = ok(await regcache.fetchIn(page, url(ref), all));
        expect(r.status).toBe(200);
      }
      const store = await checkStore(page);
      expect(store.problems).toEqual([]);
      env.proxy.offline(true);
      const offline = [];
      for (const [ref, img] of [
        ['v0', stored],
        ['v1', slow],
      ] as const) {
        const r = ok(await regcache.fetchIn(page, url(ref), all));
        expect(digestOf(r)).toBe(img.digest);
        offline.push(r.status);
      }
      env.proxy.offline(false);
      let kept = '';
      if (!bump) {
        // Same schema: what the first version stored (and counted) is the second's too.
        expect(store.manifests).toBe(2);
        const after = await stats(page);
        expect(after.requests).toBeGreaterThan(before.requests);
        expect(after.upstreamGets).toBeGreaterThanOrEqual(before.upstreamGets);
        kept = `records and stats of the first version kept (${store.manifests} manifests); `;
      }
      expect(probe.exceptions).toEqual([]);
      reliability(
        bump
          ? 'second worker version with a newer schema activates while the first waits on upstream'
          : 'second worker version (same schema) activates while the first waits on upstream',
        `the in-flight request: ${answered.status}, ${cs(answered.headers['cache-status'])}; ${bump ? `the first version closed its connection on versionchange, so the upgrade to version ${SCHEMA_VERSION + 1} was not blocked; ` : ''}${kept}the new version serves and stores (offline: ${offline.join(', ')}); no uncaught error`,
      );
    } finally {
      env.proxy.offline(false);
      env.pages.removeRoot(dir);
      await rm(dir, { recursive: true, force: true });
      await probe.stop();
    }
  });
}
