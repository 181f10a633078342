// Deletes of manifest and tag records that keep the running total (byte-total.ts) in the
// same transaction: a manifest takes every tag pointing at it along. Drops, sweeps,
// eviction and purges all delete through here.
import { addBytes } from './byte-total.js';
import { type Db, type RecordsTx, recordsTx } from './database.js';
import { manifestKey, tagKey } from './keys.js';
import { manifestCost, tagCost, tagRecordCost } from './record-cost.js';
import type { ManifestKey, ManifestRecord, TagKey, TagRecord } from './schema.js';

/** What a delete removed. */
export interface SweepResult {
  manifests: ManifestKey[];
  tags: TagKey[];
  // Records the sweep looked at: it should be about what it deleted, not what is stored.
  visited: number;
}

export const nothingRemoved = (): SweepResult => ({ manifests: [], tags: [], visited: 0 });

const sum = (costs: readonly number[]) => costs.reduce((n, c) => n + c, 0);

/**
 * Deletes manifests and every tag pointing at them, inside the caller's transaction, adding
 * their keys to `removed`. The requests go out together and the total is written once, as a
 * sweep deletes in batches. Answers what the deleted records cost, in bytes.
 */
export async function deleteManifestsIn(tx: RecordsTx, records: readonly ManifestRecord[], removed: SweepResult): Promise<number> {
  const tags = tx.objectStore('tags');
  const costs = await Promise.all(
    records.map(async (r) => {
      const key = manifestKey(r);
      const tagKeys = await tags.index('by-manifest').getAllKeys(key);
      removed.visited += 1 + tagKeys.length;
      removed.manifests.push(key);
      removed.tags.push(...tagKeys);
      await Promise.all([tx.objectStore('manifests').delete(key), ...tagKeys.map((k) => tags.delete(k))]);
      return manifestCost(r) + sum(tagKeys.map((k) => tagCost(k, r.digest)));
    }),
  );
  const cost = sum(costs);
  await addBytes(tx, -cost);
  return cost;
}

/** Deletes these tags inside the caller's transaction; answers their keys. */
export async function deleteTagsIn(tx: RecordsTx, records: readonly TagRecord[]): Promise<TagKey[]> {
  const keys = records.map(tagKey);
  await Promise.all([...keys.map((k) => tx.objectStore('tags').delete(k)), addBytes(tx, -sum(records.map(tagRecordCost)))]);
  return keys;
}

/** Deletes a manifest, if stored, and every tag pointing at it, adding their keys to `removed`. */
export async function dropManifest(db: Db, key: ManifestKey, removed: SweepResult): Promise<void> {
  const tx = recordsTx(db);
  const record = await tx.objectStore('manifests').get(key);
  if (record) await deleteManifestsIn(tx, [record], removed);
  await tx.done;
}

/** Deletes one tag variant (a key) or several (a range, as allVariantsOf gives). */
export async function dropTags(db: Db, query: TagKey | IDBKeyRange): Promise<void> {
  const tx = recordsTx(db);
  await deleteTagsIn(tx, await tx.objectStore('tags').getAll(query));
  await tx.done;
}
