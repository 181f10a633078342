// Deleting what has expired, visiting only expired records through the by-expiry indexes,
// in short transactions so that reads queued behind a sweep wait only briefly.
import { type Db, type RecordsTx, recordsTx } from './database.js';
import { deleteManifestsIn, deleteTagsIn, type SweepResult } from './deletes.js';
import type { RegcacheSchema } from './schema.js';

const SWEEP_BATCH = 50;

/**
 * The earliest expiresAt stored (ms since the epoch; Infinity when nothing is), read-only,
 * so that it does not hold up the reads of cache hits the way a read-write transaction would.
 */
export async function earliestExpiry(db: Db): Promise<number> {
  const tx = db.transaction(['manifests', 'tags']);
  const [m, t] = await Promise.all([
    tx.objectStore('manifests').index('by-expiry').openKeyCursor(),
    tx.objectStore('tags').index('by-expiry').openKeyCursor(),
  ]);
  return Math.min(m?.key ?? Infinity, t?.key ?? Infinity);
}

/** Deletes every record that expired by `now` (ms since the epoch), adding their keys to `result`. */
export async function sweepExpired(db: Db, now: number, result: SweepResult): Promise<void> {
  // Most sweeps find nothing: look first.
  if ((await earliestExpiry(db)) > now) return;
  await inBatches(db, 'manifests', now, (tx, records) => deleteManifestsIn(tx, records, result));
  // Tags can expire before their manifest: a re-check extends only the one it used.
  await inBatches(db, 'tags', now, async (tx, records) => {
    result.visited += records.length;
    result.tags.push(...(await deleteTagsIn(tx, records)));
  });
}

// Hands `name`'s records that expired by `now` to `remove`, a batch to a transaction. Each
// batch reads on from the expiry where the last one stopped (`from`), never from the start
// of the range again. Chromium leaves a deleted record's index entries behind, to be cleaned
// up later, and checks each one it meets against the store: read from the start, every
// batch would step over all the entries the batches before it deleted, and each such check
// costs more the larger the database.
async function inBatches<N extends 'manifests' | 'tags'>(
  db: Db,
  name: N,
  now: number,
  remove: (tx: RecordsTx, records: RegcacheSchema[N]['value'][]) => Promise<unknown>,
): Promise<void> {
  for (let from = -Infinity; ; ) {
    const tx = recordsTx(db);
    const records = await tx.objectStore(name).index('by-expiry').getAll(IDBKeyRange.bound(from, now), SWEEP_BATCH);
    await remove(tx, records);
    await tx.done;
    // A short batch was the last.
    const last = records[SWEEP_BATCH - 1];
    if (!last) return;
    from = last.expiresAt;
  }
}
