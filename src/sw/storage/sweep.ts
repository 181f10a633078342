// Deleting what has expired, visiting only expired records through the by-expiry indexes,
// in short transactions so that reads queued behind a sweep wait only briefly.
import { type Db, recordsTx } from './database.js';
import { deleteManifestsIn, deleteTagsIn, type SweepResult } from './deletes.js';

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
  const expired = IDBKeyRange.upperBound(now);
  // Most sweeps find nothing: look first.
  if ((await earliestExpiry(db)) > now) return;
  for (;;) {
    const tx = recordsTx(db);
    const records = await tx.objectStore('manifests').index('by-expiry').getAll(expired, SWEEP_BATCH);
    await deleteManifestsIn(tx, records, result);
    await tx.done;
    if (records.length < SWEEP_BATCH) break;
  }
  // Tags can expire before their manifest: a re-check extends only the one it used.
  for (;;) {
    const tx = recordsTx(db);
    const records = await tx.objectStore('tags').index('by-expiry').getAll(expired, SWEEP_BATCH);
    result.visited += records.length;
    const keys = await deleteTagsIn(tx, records);
    await tx.done;
    result.tags.push(...keys);
    if (records.length < SWEEP_BATCH) break;
  }
}
