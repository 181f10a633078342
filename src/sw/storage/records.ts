// Writes of manifest and tag records that keep the running total (byte-total.ts) in the
// same transaction. Storage trouble is thrown here; the facade (store.ts) turns it into
// "not stored".
import { addBytes } from './byte-total.js';
import type { Db, RecordsTx } from './database.js';
import { manifestKey, tagKey } from './keys.js';
import type { Extension } from './recency.js';
import { manifestCost, tagRecordCost } from './record-cost.js';
import type { ManifestKey, ManifestRecord, TagKey, TagRecord } from './schema.js';

/**
 * The browser's quota refused a write; evicting may make room (save.ts retries once). It is
 * always caught, so it needs no name of its own (bytes saved in the worker).
 */
export class StorageFullError extends Error {}

export function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'QuotaExceededError';
}

const change = <T>(cost: (r: T) => number, next: T, previous: T | undefined) => cost(next) - (previous ? cost(previous) : 0);

/**
 * Puts manifests and tags (distinct keys) inside the caller's transaction, replacing
 * records of the same key, and adds what they cost over the records they replace to the
 * running total once. It checks nothing: a caller storing tags alone checks their
 * manifests are stored (`hasManifest`).
 */
export async function putRecordsIn(tx: RecordsTx, manifests: readonly ManifestRecord[], tags: readonly TagRecord[]): Promise<void> {
  const ms = tx.objectStore('manifests');
  const ts = tx.objectStore('tags');
  const costs = await Promise.all([
    ...manifests.map(async (m) => {
      const previous = await ms.get(manifestKey(m));
      await ms.put(m);
      return change(manifestCost, m, previous);
    }),
    ...tags.map(async (t) => {
      const previous = await ts.get(tagKey(t));
      await ts.put(t);
      return change(tagRecordCost, t, previous);
    }),
  ]);
  await addBytes(
    tx,
    costs.reduce((n, c) => n + c, 0),
  );
}

/** Whether this manifest is stored, as seen inside the caller's transaction. */
export async function hasManifest(tx: RecordsTx, key: ManifestKey): Promise<boolean> {
  return (await tx.objectStore('manifests').getKey(key)) !== undefined;
}

/** Last-use times (ms since the epoch) to write, by record. */
export type Uses<K> = Map<string, { key: K; at: number }>;

interface UsedStore<K, R> {
  get(key: K): Promise<R | undefined>;
  put(record: R): Promise<unknown>;
}

function forward<K, R extends { lastUsed: number }>(store: UsedStore<K, R>, uses: Uses<K>): Promise<unknown> {
  return Promise.all(
    [...uses.values()].map(async ({ key, at }) => {
      const r = await store.get(key);
      if (r && r.lastUsed < at) await store.put({ ...r, lastUsed: at });
    }),
  );
}

/**
 * Writes a batch of what hits did (recency.ts), in one transaction: expiry extensions after
 * upstream vouched for records again (`confirmedAt`, `expiresAt`, ms since the epoch), in
 * order so that a later one of the same record wins, then last-use times, only forward. A
 * record deleted meanwhile stays deleted (a tag is only extended with its manifest). One
 * fetched anew within the batch's second gets the confirmation's life, at most that second
 * shorter than its own.
 */
export async function touchRecords(
  db: Db,
  manifests: Uses<ManifestKey>,
  tags: Uses<TagKey>,
  extensions: readonly Extension[] = [],
): Promise<void> {
  const tx = db.transaction(['manifests', 'tags'], 'readwrite');
  const ms = tx.objectStore('manifests');
  const ts = tx.objectStore('tags');
  for (const { manifest, tag, confirmedAt, expiresAt } of extensions) {
    const m = await ms.get(manifest);
    if (!m) continue;
    await ms.put({ ...m, confirmedAt, expiresAt });
    const t = tag && (await ts.get(tag));
    if (t) await ts.put({ ...t, confirmedAt, expiresAt });
  }
  await Promise.all([forward(ms, manifests), forward(ts, tags)]);
  await tx.done;
}
