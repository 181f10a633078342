// Generic values kept next to the records (statistics, the alarm's due time), by key.
import type { Db } from './database.js';

/** The value stored under `key`, or undefined. */
export async function getMeta<T>(db: Db, key: string): Promise<T | undefined> {
  return (await db.transaction('meta').objectStore('meta').get(key)) as T | undefined;
}

/** Read-modify-write of one value in a single transaction. */
export async function updateMeta<T>(db: Db, key: string, update: (current: T | undefined) => T): Promise<void> {
  const tx = db.transaction('meta', 'readwrite');
  const meta = tx.objectStore('meta');
  await meta.put(update((await meta.get(key)) as T | undefined), key);
  await tx.done;
}
