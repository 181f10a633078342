// Schema upgrades as data: one step per schema version, applied in order by the opener
// (database.ts) to a database older than SCHEMA_VERSION. A step runs inside the upgrade's
// transaction, so an upgrade lands whole or not at all. A new schema version adds a step
// here and bumps SCHEMA_VERSION in schema.ts.
import { acceptKey, parseAccept } from '../../core/http/accept.js';
import { BYTES_KEY } from './byte-total.js';
import type { Db, RecordsTx } from './database.js';
import { manifestCost, tagRecordCost } from './record-cost.js';
import { MANIFEST_KEY_PATH, TAG_KEY_PATH } from './schema.js';

/** One upgrade step: takes a database at version `to - 1` (or older, for the first) to `to`. */
export interface Migration {
  to: number;
  run(db: Db, tx: RecordsTx): void | Promise<void>;
}

// 1→2, and a new database: records carry `private`. Version 1 records cannot tell which were
// fetched with credentials, so any older layout is dropped and built anew (a cache can
// always be refilled).
function rebuild(db: Db): void {
  for (const name of [...db.objectStoreNames]) db.deleteObjectStore(name);
  const manifests = db.createObjectStore('manifests', { keyPath: MANIFEST_KEY_PATH });
  manifests.createIndex('by-expiry', 'expiresAt');
  manifests.createIndex('by-last-used', 'lastUsed');
  const tags = db.createObjectStore('tags', { keyPath: TAG_KEY_PATH });
  tags.createIndex('by-expiry', 'expiresAt');
  tags.createIndex('by-manifest', MANIFEST_KEY_PATH);
  db.createObjectStore('meta');
}

// 2→3: tag keys write known media types as short codes (acceptKey): rekey every tag.
async function rekeyTags(_db: Db, tx: RecordsTx): Promise<void> {
  const tags = tx.objectStore('tags');
  const all = await tags.getAll();
  // Requests run in the order they are made: clear, then the rekeyed puts.
  await Promise.all([tags.clear(), ...all.map((t) => tags.put({ ...t, accept: acceptKey(parseAccept(t.accept)) }))]);
}

// 3→4: the running total counted body bytes only: count what every record costs instead.
async function recountBytes(_db: Db, tx: RecordsTx): Promise<void> {
  let total = 0;
  for (const t of await tx.objectStore('tags').getAll()) total += tagRecordCost(t);
  // One manifest at a time: their bodies need not all be in memory at once.
  for (let c = await tx.objectStore('manifests').openCursor(); c; c = await c.continue()) total += manifestCost(c.value);
  await tx.objectStore('meta').put(total, BYTES_KEY);
}

/** Every upgrade step, in order; the last one's `to` is SCHEMA_VERSION. */
export const MIGRATIONS: readonly Migration[] = [
  { to: 2, run: rebuild },
  { to: 3, run: rekeyTags },
  { to: 4, run: recountBytes },
];

/**
 * Brings a database from version `from` (0 for a new one) to SCHEMA_VERSION inside the
 * upgrade transaction `tx`, one step at a time. A request that fails aborts the upgrade.
 */
export async function migrate(db: Db, from: number, tx: RecordsTx): Promise<void> {
  // After a rebuild the later steps run too, on empty stores: a step may change the layout.
  // The first step runs before any await: schema changes belong to the upgrade event.
  for (const step of MIGRATIONS) if (step.to > from) await step.run(db, tx);
}
