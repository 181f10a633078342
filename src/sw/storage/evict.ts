// Eviction for the maxBytes budget: least recently used manifests go first, with their tags.
import { readBytes } from './byte-total.js';
import { type Db, recordsTx } from './database.js';
import { deleteManifestsIn, type SweepResult } from './deletes.js';

/**
 * Deletes least recently used manifests (with their tags), in one transaction, until the
 * records stored cost at most `budget` bytes and at least `atLeast` bytes were freed,
 * adding their keys to `result`.
 */
export async function evictLeastUsed(db: Db, budget: number, atLeast: number, result: SweepResult): Promise<void> {
  const tx = recordsTx(db);
  const start = await readBytes(tx.objectStore('meta'));
  let total = start;
  let cursor = await tx.objectStore('manifests').index('by-last-used').openCursor();
  while (cursor && (total > budget || start - total < atLeast)) {
    const record = cursor.value;
    cursor = await cursor.continue();
    total -= await deleteManifestsIn(tx, [record], result);
  }
  await tx.done;
}
