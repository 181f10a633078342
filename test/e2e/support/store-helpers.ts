// Page-side access to regcache's IndexedDB and to the page client, for assertions that
// must not go through the worker (or must not wake it).
import type { Page } from '@playwright/test';
import { acceptKey, parseAccept } from '../../../src/core/http/accept.js';
import type { Entry, RegcacheStats } from '../../../src/core/protocol.js';
import { manifestCost, tagCost } from '../../../src/sw/storage/record-cost.js';
import { firefoxTab, type Received } from './firefox.js';
import { webkitPage } from './webkit.js';

export type { Received };

export interface DbDump {
  manifests: Array<{
    upstream: string;
    repository: string;
    digest: string;
    size: number;
    bodyLength: number;
    expiresAt: number;
    lastUsed: number;
  }>;
  tags: Array<{ upstream: string; repository: string; tag: string; accept: string; digest: string; expiresAt: number }>;
  meta: Record<string, unknown>;
}

// Reads the database without opening it at a version, so an absent one stays absent.
export async function dumpDb(page: Page): Promise<DbDump> {
  return page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name);
    if (!names.includes('regcache')) return { manifests: [], tags: [], meta: {} };
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('regcache');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const all = (store: string) =>
      new Promise<unknown[]>((resolve, reject) => {
        if (!db.objectStoreNames.contains(store)) return resolve([]);
        const req = db.transaction(store).objectStore(store).getAll();
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    const metaKeys = await new Promise<IDBValidKey[]>((resolve, reject) => {
      if (!db.objectStoreNames.contains('meta')) return resolve([]);
      const req = db.transaction('meta').objectStore('meta').getAllKeys();
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const metaValues = await all('meta');
    const manifests = ((await all('manifests')) as Array<Record<string, unknown> & { body: ArrayBuffer }>).map(
      ({ body, headers: _h, ...rest }) => ({ ...rest, bodyLength: body.byteLength }),
    );
    const tags = await all('tags');
    db.close();
    return {
      manifests,
      tags,
      meta: Object.fromEntries(metaKeys.map((k, i) => [String(k), metaValues[i]])),
    } as never;
  });
}

/**
 * What a manifest of the test registry costs against maxBytes once regcache stores it from
 * `upstream` (src/sw/storage/record-cost.ts), with the headers distribution sends, and with a tag
 * record when `tag` is given, resolved under the `Accept` header `accept`.
 */
export function pulledCost(
  upstream: string,
  repository: string,
  img: { digest: string; mediaType: string; size: number },
  tag?: { name: string; accept: string },
): number {
  const headers = { contentType: img.mediaType, dockerContentDigest: img.digest, etag: `"${img.digest}"`, apiVersion: 'registry/2.0' };
  const manifest = manifestCost({ upstream, repository, digest: img.digest, mediaType: img.mediaType, headers, size: img.size });
  return manifest + (tag ? tagCost([upstream, repository, tag.name, acceptKey(parseAccept(tag.accept))], img.digest) : 0);
}

type ClientMethod = 'stats' | 'entries' | 'purge' | 'clear' | 'sweep';

// Calls regcache/client (dist/client.js) in the page.
export async function client<T = unknown>(page: Page, method: ClientMethod, arg?: unknown): Promise<T> {
  return page.evaluate(
    async ({ method, arg }) => {
      const mod = await import('/client.js' as string);
      const c = mod.createClient({ timeout: 20_000 });
      return c[method](arg);
    },
    { method, arg },
  ) as Promise<T>;
}

export const stats = (page: Page) => client<RegcacheStats>(page, 'stats');
export const entries = (page: Page) => client<Entry[]>(page, 'entries');

export async function waitFor<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = await probe();
  }
  return value;
}

// Starts the page origin's worker with no fetch or message to wake it: CDP in Chromium.
// WebKit has no such thing: its worker starts for an event only.
export async function startWorker(page: Page): Promise<void> {
  if (webkitPage(page)) throw new Error('startWorker: WebKit starts a service worker for an event only');
  // Firefox: what about:debugging's "Start" does, from the parent process.
  const tab = firefoxTab(page);
  if (tab) return tab.driver.startWorker(tab.context, new URL(page.url()).origin);
  const cdp = await page.context().newCDPSession(page);
  const running = new Promise<void>((resolve) => {
    cdp.on('ServiceWorker.workerVersionUpdated', (e: { versions: Array<{ runningStatus: string }> }) => {
      if (e.versions.some((v) => v.runningStatus === 'running')) resolve();
    });
  });
  try {
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.startWorker', { scopeURL: new URL('/', page.url()).href });
    await running;
  } finally {
    await cdp.send('ServiceWorker.disable').catch(() => {});
    await cdp.detach().catch(() => {});
  }
}

// Writes synthetic records straight into the worker's schema: `count` manifests, each
// with a tag, of which the first `expired` have already expired.
export async function seedRecords(page: Page, upstream: string, count: number, expired: number): Promise<void> {
  await page.evaluate(
    async ({ upstream, count, expired }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('regcache');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const now = Date.now();
      const tx = db.transaction(['manifests', 'tags'], 'readwrite');
      const manifests = tx.objectStore('manifests');
      const tags = tx.objectStore('tags');
      for (let i = 0; i < count; i++) {
        const digest = `sha256:${i.toString(16).padStart(64, '0')}`;
        const expiresAt = i < expired ? now - 1_000 : now + 3_600_000;
        const times = { fetchedAt: now - 5_000, confirmedAt: now - 5_000, expiresAt, lastUsed: now - 5_000 };
        manifests.put({
          upstream,
          repository: 'seed/app',
          digest,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          body: new ArrayBuffer(16),
          headers: { contentType: 'application/vnd.oci.image.manifest.v1+json', dockerContentDigest: digest, etag: null, apiVersion: null },
          size: 16,
          ...times,
        });
        // Tags of live manifests only: an expired manifest's tags would double the count.
        if (i >= expired) tags.put({ upstream, repository: 'seed/app', tag: `t${i}`, accept: 'a', digest, ...times });
      }
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    },
    { upstream, count, expired },
  );
}

// Record counts, and how many manifests have expired by now, without moving records.
export async function countDb(page: Page): Promise<{ manifests: number; tags: number; expired: number }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('regcache');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const tx = db.transaction(['manifests', 'tags']);
    const count = (req: IDBRequest<number>) =>
      new Promise<number>((resolve, reject) => {
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    const manifests = tx.objectStore('manifests');
    const result = {
      manifests: await count(manifests.count()),
      tags: await count(tx.objectStore('tags').count()),
      expired: await count(manifests.index('by-expiry').count(IDBKeyRange.upperBound(Date.now()))),
    };
    db.close();
    return result;
  });
}

export interface ResponseWatch {
  /**
   * Whether the browser says which responses a worker made. WebKit does not: WebDriver
   * classic has no network events, and in its Resource Timing a worker's respondWith(fetch())
   * and no respondWith at all look the same. There, received() stays empty.
   */
  reports: boolean;
  /** The responses the page has received for fetch() since the watch began, in order. */
  received(): Promise<Received[]>;
  stop(): Promise<void>;
}

// Which of the page's fetches a service worker answered: Chromium reports it per response
// over CDP; Firefox's parent process sees a worker-made response as a synthesized one.
export async function watchResponses(page: Page): Promise<ResponseWatch> {
  if (webkitPage(page)) return { reports: false, received: async () => [], stop: async () => {} };
  const tab = firefoxTab(page);
  if (tab) {
    const before = (await tab.driver.received(tab.context)).length;
    return { reports: true, received: async () => (await tab.driver.received(tab.context)).slice(before), stop: async () => {} };
  }
  const cdp = await page.context().newCDPSession(page);
  const received: Received[] = [];
  cdp.on('Network.responseReceived', (e: { type: string; response: { url: string; fromServiceWorker?: boolean } }) => {
    if (e.type === 'Fetch') received.push({ url: e.response.url, fromServiceWorker: e.response.fromServiceWorker === true });
  });
  await cdp.send('Network.enable');
  return { reports: true, received: async () => [...received], stop: () => cdp.detach().catch(() => {}) };
}
