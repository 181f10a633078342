// Writes of manifest and tag records that keep the running total (byte-total.ts) in the
// same transaction. Storage trouble is thrown here; the facade (store.ts) turns it into
// "not stored".
import { addBytes } from './byte-total.js';
import type { Db, RecordsTx } from './database.js';
import { manifestKey, tagKey } from './keys.js';
import { manifestCost, tagRecordCost } from './record-cost.js';
import type { ManifestKey, ManifestRecord, TagKey, TagRecord } from './schema.js';

/** The browser's quota refused a write; evicting may make room (save.ts retries once). */
export class StorageFullError extends Error {
  override name = 'StorageFullError';
}

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

/**
 * Upstream vouched for this content again: sets both records' `confirmedAt` and `expiresAt`
 * (ms since the epoch). A manifest swept meanwhile is never resurrected, and its tag is
 * left alone. Answers the records as written, or null when the manifest is gone.
 */
export async function confirmRecords(
  db: Db,
  manifest: ManifestKey,
  tag: TagKey | null,
  confirmedAt: number,
  expiresAt: number,
): Promise<{ manifest: ManifestRecord; tag: TagRecord | null } | null> {
  const tx = db.transaction(['manifests', 'tags'], 'readwrite');
  const stamp = <R>(r: R | undefined) => r && { ...r, confirmedAt, expiresAt };
  const m = stamp(await tx.objectStore('manifests').get(manifest));
  if (m) await tx.objectStore('manifests').put(m);
  const t = tag && m ? stamp(await tx.objectStore('tags').get(tag)) : undefined;
  if (t) await tx.objectStore('tags').put(t);
  await tx.done;
  return m ? { manifest: m, tag: t ?? null } : null;
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

/** Writes batched last-use times, only forward; records deleted meanwhile stay deleted. */
export async function touchRecords(db: Db, manifests: Uses<ManifestKey>, tags: Uses<TagKey>): Promise<void> {
  const tx = db.transaction(['manifests', 'tags'], 'readwrite');
  await Promise.all([forward(tx.objectStore('manifests'), manifests), forward(tx.objectStore('tags'), tags)]);
  await tx.done;
}
