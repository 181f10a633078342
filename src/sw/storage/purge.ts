// Deletes the page asks for (regcache/client's purge and clear): rare and user-driven.
import type { PurgeFilter } from '../../core/protocol.js';
import { BYTES_KEY } from './byte-total.js';
import { type Db, recordsTx } from './database.js';
import { deleteManifestsIn, deleteTagsIn, type SweepResult } from './deletes.js';
import type { ManifestRecord } from './schema.js';

function matches(filter: PurgeFilter, r: { upstream: string; repository: string }, reference: string): boolean {
  return (
    (filter.upstream === undefined || filter.upstream === r.upstream) &&
    (filter.repository === undefined || filter.repository === r.repository) &&
    (filter.reference === undefined || filter.reference === reference)
  );
}

/**
 * Deletes matching records, adding their keys to `result`. A reference matches a tag by
 * name and a manifest by digest (which takes every tag pointing at it along).
 */
export async function purgeMatching(db: Db, filter: PurgeFilter, result: SweepResult): Promise<void> {
  const tx = recordsTx(db);
  let cursor = await tx.objectStore('manifests').openCursor();
  const doomed: ManifestRecord[] = [];
  while (cursor) {
    if (matches(filter, cursor.value, cursor.value.digest)) doomed.push(cursor.value);
    cursor = await cursor.continue();
  }
  await deleteManifestsIn(tx, doomed, result);
  const tags = (await tx.objectStore('tags').getAll()).filter((t) => matches(filter, t, t.tag));
  result.tags.push(...(await deleteTagsIn(tx, tags)));
  await tx.done;
}

/** Deletes every record (meta other than the running total stays); answers how many there were. */
export async function clearRecords(db: Db): Promise<number> {
  const tx = recordsTx(db);
  const manifests = tx.objectStore('manifests');
  const tags = tx.objectStore('tags');
  const [m, t] = await Promise.all([manifests.count(), tags.count()]);
  await Promise.all([manifests.clear(), tags.clear(), tx.objectStore('meta').delete(BYTES_KEY)]);
  await tx.done;
  return m + t;
}
