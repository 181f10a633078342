// The running total of what the records cost (record-cost.ts). It lives in meta and is
// updated in the same transaction as every write and delete of a manifest or a tag, so the
// budget never needs a scan.
import type { RecordsTx } from './database.js';

/** The meta key of the running total, in bytes; absent counts as 0. */
export const BYTES_KEY = 'bytes';

type MetaStore = Pick<ReturnType<RecordsTx['objectStore']>, 'get'>;

/** The running total in bytes (0 when none is written). */
export async function readBytes(meta: MetaStore): Promise<number> {
  return ((await meta.get(BYTES_KEY)) as number | undefined) ?? 0;
}

/** Adds `delta` bytes (negative for deletes) to the total, never going below 0. */
export async function addBytes(tx: RecordsTx, delta: number): Promise<void> {
  if (delta === 0) return;
  const meta = tx.objectStore('meta');
  await meta.put(Math.max(0, (await readBytes(meta)) + delta), BYTES_KEY);
}
