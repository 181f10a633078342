// The database disappears underneath a running worker: the page deletes it, or CDP clears
// the origin's IndexedDB. Requests keep working, the worker recreates its store, nothing
// it remembered in memory outlives the database, and no rejection goes unhandled.
import type { Page } from '@playwright/test';
import { SCHEMA_VERSION } from '../../../src/sw/storage/schema.js';
import { ACCEPT_ALL, type PushedImage, pushImage, sha256 } from '../../servers/images.js';
import { type Env, expect, isFetchError, type Regcache, test, uniqueRepo } from '../support/fixtures.js';
import { checkStore, dbShape, probeWorker, reliability } from '../support/hardening.js';

const all = { headers: { Accept: ACCEPT_ALL } };
const ROUNDS = 3;
const PER_URL = 10;

type Removal = { name: string; remove: (page: Page, env: Env) => Promise<string> };

const REMOVALS: Removal[] = [
  {
    name: 'the page deletes the database (indexedDB.deleteDatabase)',
    remove: (page) =>
      page.evaluate(
        () =>
          new Promise<string>((resolve, reject) => {
            let blocked = false;
            const req = indexedDB.deleteDatabase('regcache');
            // The worker holds a connection: it has to step aside for the delete to finish.
            req.onblocked = () => (blocked = true);
            req.onsuccess = () => resolve(blocked ? 'deleted after a blocked event' : 'deleted without being blocked');
            req.onerror = () => reject(req.error);
          }),
      ),
  },
  {
    name: 'CDP Storage.clearDataForOrigin (indexeddb)',
    remove: async (page, env) => {
      const cdp = await page.context().newCDPSession(page);
      try {
        await cdp.send('Storage.clearDataForOrigin', { origin: env.pageOrigin, storageTypes: 'indexeddb' });
        return 'cleared';
      } finally {
        await cdp.detach();
      }
    },
  },
];

interface Tally {
  ok: number;
  wrong: string[];
  statuses: string[];
}

// Fires every URL `times` times at once from the page and checks each body against its digest.
async function burst(page: Page, urls: Map<string, string>, times: number): Promise<Tally> {
  const list = [...urls.keys()].flatMap((u) => Array.from({ length: times }, () => u));
  const got = await page.evaluate(
    async ({ list, accept }) => {
      const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
      return Promise.all(
        list.map(async (url) => {
          try {
            const res = await fetch(url, { headers: { Accept: accept } });
            const digest = `sha256:${hex(await crypto.subtle.digest('SHA-256', await res.arrayBuffer()))}`;
            return { url, status: res.status, digest, cacheStatus: res.headers.get('Cache-Status') ?? '' };
          } catch (e) {
            return { url, status: 0, digest: String(e), cacheStatus: '' };
          }
        }),
      );
    },
    { list, accept: ACCEPT_ALL },
  );
  const wrong = got.filter((g) => g.status !== 200 || g.digest !== urls.get(g.url)).map((g) => `${g.url}: ${g.status} ${g.digest}`);
  return { ok: got.length - wrong.length, wrong, statuses: got.map((g) => `${g.url.slice(-20)} ${g.cacheStatus}`) };
}

async function setUp(
  env: Env,
  regcache: Regcache,
  label: string,
): Promise<{ page: Page; images: PushedImage[]; urls: Map<string, string> }> {
  const repo = uniqueRepo(`storage-loss/${label}`);
  const images: PushedImage[] = [];
  for (let i = 0; i < 3; i++) images.push(await pushImage(env.registry.url, repo, `v${i}`, 'oci', { salt: `${label}-${i}` }));
  const page = await regcache.open();
  const urls = new Map<string, string>();
  for (const img of images) {
    urls.set(`${env.proxy.url}/v2/${repo}/manifests/${img.tag}`, img.digest);
    urls.set(`${env.proxy.url}/v2/${repo}/manifests/${img.digest}`, img.digest);
  }
  return { page, images, urls };
}

for (const [i, removal] of REMOVALS.entries()) {
  test(`storage removed underneath: ${removal.name}`, async ({ env, regcache, browser }) => {
    const { page, urls } = await setUp(env, regcache, `r${i}`);
    const probe = await probeWorker(browser, env.pageOrigin);
    try {
      // Everything stored, and remembered in the worker's memory too.
      expect((await burst(page, urls, 1)).wrong).toEqual([]);
      expect((await checkStore(page)).manifests).toBe(3);

      // Storage goes away while requests are in flight, three times over: each time the
      // worker is mid-way through reads and writes of its own.
      let how = '';
      let inFlight = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const during = burst(page, urls, PER_URL);
        how = await removal.remove(page, env);
        const tally = await during;
        expect(tally.wrong).toEqual([]);
        inFlight += tally.ok;
      }

      // Nothing the worker held in memory outlives the database: offline, a record that
      // is gone is not served.
      env.proxy.offline(true);
      const [someUrl] = [...urls.keys()];
      const store = await checkStore(page);
      if (store.manifests === 0) {
        const r = await regcache.fetchIn(page, someUrl!, all);
        expect(isFetchError(r), `served from memory after the database was removed: ${JSON.stringify(r).slice(0, 120)}`).toBe(true);
      }
      env.proxy.offline(false);

      // The next requests work and are stored again: the worker recreated its database.
      const after = await burst(page, urls, 2);
      expect(after.wrong).toEqual([]);
      expect(await dbShape(page)).toEqual({ version: SCHEMA_VERSION, stores: ['manifests', 'meta', 'tags'] });
      const rebuilt = await checkStore(page);
      expect(rebuilt.problems).toEqual([]);
      expect(rebuilt.manifests, `${after.statuses.join('\n')}\n${probe.warnings.join('\n')}`).toBe(3);

      // What is stored now is served offline.
      env.proxy.offline(true);
      const offline = await regcache.fetchIn(page, someUrl!, all);
      if (isFetchError(offline)) throw new Error(`offline after the rebuild: ${offline.error}`);
      expect(sha256(Buffer.from(offline.body, 'base64'))).toBe(urls.get(someUrl!));
      env.proxy.offline(false);

      expect(probe.exceptions, `${probe.stacks.join('\n')}\n${probe.warnings.join('\n')}`).toEqual([]);
      reliability(
        `storage removed underneath a running worker: ${removal.name}, ${ROUNDS} times, each with ${urls.size * PER_URL} requests in flight`,
        `${how}; ${inFlight}/${ROUNDS * urls.size * PER_URL} in-flight requests 200 with the right bytes; nothing served from memory for removed records; the worker recreated its database (version ${SCHEMA_VERSION}, 3 stores) and stored again; no unhandled rejection`,
      );
    } finally {
      env.proxy.offline(false);
      await probe.stop();
    }
  });
}
