// Reads and writes of stored manifests and tags. Storage trouble never fails a request:
// reads answer "not stored" and writes report false, so the caller answers from upstream.
import { type IDBPDatabase, type IDBPTransaction, openDB } from 'idb';
import { acceptKey, parseAccept } from '../../core/http/accept.js';
import type { Entry, PurgeFilter } from '../../core/protocol.js';
import { RecordMemory } from './memory.js';
import { manifestCost, tagCost } from './record-cost.js';
import {
  DB_NAME,
  MANIFEST_KEY_PATH,
  type ManifestKey,
  type ManifestRecord,
  type RegcacheSchema,
  SCHEMA_VERSION,
  TAG_KEY_PATH,
  type TagKey,
  type TagRecord,
} from './schema.js';

type Db = IDBPDatabase<RegcacheSchema>;
type RecordsTx = IDBPTransaction<RegcacheSchema, ('manifests' | 'tags' | 'meta')[], 'readwrite' | 'versionchange'>;

// The running total of what the records cost (record-cost.ts) lives in meta, updated in the
// same transaction as every write and delete of a manifest or a tag, so the budget never
// needs a scan.
const BYTES = 'bytes';
// A sweep works in short transactions so that reads queued behind it wait only briefly.
const SWEEP_BATCH = 50;

export function manifestKey(r: { upstream: string; repository: string; digest: string }): ManifestKey {
  return [r.upstream, r.repository, r.digest];
}

export function tagKey(r: { upstream: string; repository: string; tag: string; accept: string }): TagKey {
  return [r.upstream, r.repository, r.tag, r.accept];
}

// Every Accept variant of one tag sorts between these two keys.
function allVariantsOf(upstream: string, repository: string, tag: string): IDBKeyRange {
  return IDBKeyRange.bound([upstream, repository, tag, ''], [upstream, repository, tag, '\uffff']);
}

export class StorageFullError extends Error {
  override name = 'StorageFullError';
}

export interface SweepResult {
  manifests: ManifestKey[];
  tags: TagKey[];
  // Records the sweep looked at: it should be about what it deleted, not what is stored.
  visited: number;
}

function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'QuotaExceededError';
}

// idb gives every transaction a `done` promise. When one of its requests fails first (the
// connection was closed or the database deleted underneath), the code awaiting that request
// never gets to `done`, whose rejection would then go unhandled.
function settled<T extends { done: Promise<void> }>(tx: T): T {
  tx.done.catch(() => undefined);
  return tx;
}

function report(what: string, error: unknown): void {
  console.warn(`regcache: ${what} failed; answering from upstream instead.`, error);
}

async function addBytes(tx: RecordsTx, delta: number): Promise<void> {
  if (delta === 0) return;
  const meta = tx.objectStore('meta');
  const current = ((await meta.get(BYTES)) as number | undefined) ?? 0;
  await meta.put(Math.max(0, current + delta), BYTES);
}

const tagRecordCost = (t: TagRecord) => tagCost(tagKey(t), t.digest);
const sum = <T>(items: readonly T[], cost: (item: T) => number) => items.reduce((n, item) => n + cost(item), 0);

// Deletes manifests and every tag pointing at them, inside the caller's transaction. The
// requests go out together and the total is written once, as a sweep deletes in batches.
// Answers what the deleted records cost.
async function deleteManifestsIn(tx: RecordsTx, records: readonly ManifestRecord[], removed: SweepResult): Promise<number> {
  const tags = tx.objectStore('tags');
  const costs = await Promise.all(
    records.map(async (r) => {
      const key = manifestKey(r);
      const tagKeys = await tags.index('by-manifest').getAllKeys(key);
      removed.visited += 1 + tagKeys.length;
      removed.manifests.push(key);
      removed.tags.push(...tagKeys);
      await Promise.all([tx.objectStore('manifests').delete(key), ...tagKeys.map((k) => tags.delete(k))]);
      return manifestCost(r) + sum(tagKeys, (k) => tagCost(k, r.digest));
    }),
  );
  const cost = sum(costs, (c) => c);
  await addBytes(tx, -cost);
  return cost;
}

// Deletes these tags inside the caller's transaction; answers their keys.
async function deleteTagsIn(tx: RecordsTx, records: readonly TagRecord[]): Promise<TagKey[]> {
  const keys = records.map(tagKey);
  await Promise.all([...keys.map((k) => tx.objectStore('tags').delete(k)), addBytes(tx, -sum(records, tagRecordCost))]);
  return keys;
}

// Databases of schema 2 and 3 counted body bytes only: count every record's cost instead.
// Schema 3 only changed how tag keys write the Accept set, so version 2 tags are rekeyed first.
async function recount(tx: RecordsTx, from: number): Promise<void> {
  const tags = tx.objectStore('tags');
  if (from === 2) {
    const all = await tags.getAll();
    // Requests run in the order they are made: clear, then the rekeyed puts.
    await Promise.all([tags.clear(), ...all.map((t) => tags.put({ ...t, accept: acceptKey(parseAccept(t.accept)) }))]);
  }
  let total = sum(await tags.getAll(), tagRecordCost);
  // One manifest at a time: their bodies need not all be in memory at once.
  for (let c = await tx.objectStore('manifests').openCursor(); c; c = await c.continue()) total += manifestCost(c.value);
  await tx.objectStore('meta').put(total, BYTES);
}

// The earliest expiresAt stored (Infinity when nothing is), read-only, so that it does not
// hold up the reads of cache hits the way a read-write transaction would.
async function earliest(db: Db): Promise<number> {
  const tx = settled(db.transaction(['manifests', 'tags']));
  const [m, t] = await Promise.all([
    tx.objectStore('manifests').index('by-expiry').openKeyCursor(),
    tx.objectStore('tags').index('by-expiry').openKeyCursor(),
  ]);
  return Math.min(m?.key ?? Infinity, t?.key ?? Infinity);
}

function matches(filter: PurgeFilter, r: { upstream: string; repository: string }, reference: string): boolean {
  return (
    (filter.upstream === undefined || filter.upstream === r.upstream) &&
    (filter.repository === undefined || filter.repository === r.repository) &&
    (filter.reference === undefined || filter.reference === reference)
  );
}

// Enough for every manifest a page is likely to show, small next to a worker's heap.
const MEMORY_BYTES = 16 * 1024 * 1024;
// However small the records, a few thousand at most: each also costs the heap its objects.
const MEMORY_RECORDS = 4096;

export class StoreBlockedError extends Error {
  override name = 'StoreBlockedError';
}

export class ManifestStore {
  #db: Promise<Db> | null = null;
  // Rejects once the pending open is blocked: another connection (an older page or worker)
  // holds the database and does not close for the upgrade. Until it does, operations fail
  // at once, so requests are answered from upstream instead of waiting on it.
  #blocked: Promise<never> | null = null;
  readonly #memory: RecordMemory;

  constructor(memoryBytes = MEMORY_BYTES, memoryRecords = MEMORY_RECORDS) {
    this.#memory = new RecordMemory(memoryBytes, memoryRecords);
  }

  // The connection is gone (database deleted, storage cleared, another version wants
  // it): whatever the memory holds may no longer be in the database.
  #reset(): void {
    this.#db = null;
    this.#memory.clear();
  }

  #open(): Promise<Db> {
    const db = this.#db ?? this.#connect();
    return this.#blocked ? Promise.race([db, this.#blocked]) : db;
  }

  #connect(): Promise<Db> {
    let onBlocked!: () => void;
    const blocked = new Promise<never>((_, reject) => {
      onBlocked = () => reject(new StoreBlockedError('the database upgrade is blocked by another open connection'));
    });
    blocked.catch(() => undefined);
    this.#blocked = blocked;
    this.#db = openDB<RegcacheSchema>(DB_NAME, SCHEMA_VERSION, {
      upgrade(db, from, _to, tx) {
        // idb gives the upgrade its `done` promise too, which rejects when the origin's storage
        // is cleared mid-upgrade; the open request reports that failure already.
        settled(tx);
        // 3 and 4 kept the stores and indexes: keep every record.
        if (from === 2 || from === 3) {
          recount(tx, from).catch(() => undefined);
          return;
        }
        // Any other older layout is dropped and rebuilt: a cache can always be refilled.
        for (const name of [...db.objectStoreNames]) db.deleteObjectStore(name);
        const manifests = db.createObjectStore('manifests', { keyPath: MANIFEST_KEY_PATH });
        manifests.createIndex('by-expiry', 'expiresAt');
        manifests.createIndex('by-last-used', 'lastUsed');
        const tags = db.createObjectStore('tags', { keyPath: TAG_KEY_PATH });
        tags.createIndex('by-expiry', 'expiresAt');
        tags.createIndex('by-manifest', MANIFEST_KEY_PATH);
        db.createObjectStore('meta');
      },
      // Another worker version wants to upgrade: step aside, reopen on next use.
      blocking: (_current, _next, event) => {
        (event.target as IDBDatabase).close();
        this.#reset();
      },
      terminated: () => this.#reset(),
      blocked: () => onBlocked(),
    }).then(
      (db) => {
        if (this.#blocked === blocked) this.#blocked = null;
        return db;
      },
      (error: unknown) => {
        this.#reset();
        throw error;
      },
    );
    return this.#db;
  }

  // Runs an operation, reopening once if the connection was closed underneath.
  async #attempt<T>(op: (db: Db) => Promise<T>): Promise<T> {
    try {
      return await op(await this.#open());
    } catch (error) {
      if (!(error instanceof DOMException && error.name === 'InvalidStateError')) throw error;
      this.#reset();
      return op(await this.#open());
    }
  }

  async #run<T>(what: string, fallback: T, op: (db: Db) => Promise<T>): Promise<T> {
    try {
      return await this.#attempt(op);
    } catch (error) {
      report(what, error);
      return fallback;
    }
  }

  #records(db: Db): RecordsTx {
    return settled(db.transaction(['manifests', 'tags', 'meta'], 'readwrite'));
  }

  async getManifest(key: ManifestKey): Promise<ManifestRecord | undefined> {
    const remembered = this.#memory.getManifest(key);
    if (remembered) return remembered;
    const generation = this.#memory.generation;
    const record = await this.#run('reading a manifest', undefined, (db) => settled(db.transaction('manifests')).store.get(key));
    if (record) this.#memory.setManifest(record, generation);
    return record;
  }

  async getTag(key: TagKey): Promise<TagRecord | undefined> {
    const remembered = this.#memory.getTag(key);
    if (remembered) return remembered;
    const generation = this.#memory.generation;
    const record = await this.#run('reading a tag', undefined, (db) => settled(db.transaction('tags')).store.get(key));
    if (record) this.#memory.setTag(record, generation);
    return record;
  }

  // The manifest and the tag pointing at it land together or not at all. A tag alone is
  // only written while its manifest is still stored, so a racing sweep can't orphan it.
  // Throws StorageFullError on a QuotaExceededError, so the caller can evict and retry.
  async put(manifest: ManifestRecord | null, tag: TagRecord | null): Promise<boolean> {
    const generation = this.#memory.generation;
    try {
      return await this.#attempt(async (db) => {
        const tx = this.#records(db);
        const manifests = tx.objectStore('manifests');
        const tags = tx.objectStore('tags');
        let cost = 0;
        if (manifest) {
          const previous = await manifests.get(manifestKey(manifest));
          await manifests.put(manifest);
          cost = manifestCost(manifest) - (previous ? manifestCost(previous) : 0);
        } else if (tag && !(await manifests.getKey(manifestKey(tag)))) {
          tx.abort();
          await tx.done.catch(() => undefined);
          return false;
        }
        if (tag) {
          const previous = await tags.get(tagKey(tag));
          await tags.put(tag);
          cost += tagRecordCost(tag) - (previous ? tagRecordCost(previous) : 0);
        }
        await addBytes(tx, cost);
        await tx.done;
        this.#remember(generation, manifest, tag);
        return true;
      });
    } catch (error) {
      if (isQuotaError(error)) throw new StorageFullError('IndexedDB quota exceeded', { cause: error });
      report('storing a manifest', error);
      return false;
    }
  }

  // Upstream vouched for this content again: push both expiries forward.
  confirm(manifest: ManifestKey, tag: TagKey | null, confirmedAt: number, expiresAt: number): Promise<boolean> {
    const generation = this.#memory.generation;
    return this.#run('extending a record', false, async (db) => {
      const tx = settled(db.transaction(['manifests', 'tags'], 'readwrite'));
      const manifests = tx.objectStore('manifests');
      const tags = tx.objectStore('tags');
      const m = await manifests.get(manifest);
      // The manifest may have been swept meanwhile: never resurrect it.
      if (m) await manifests.put({ ...m, confirmedAt, expiresAt });
      const t = tag && m ? await tags.get(tag) : undefined;
      if (t) await tags.put({ ...t, confirmedAt, expiresAt });
      await tx.done;
      if (m) this.#remember(generation, { ...m, confirmedAt, expiresAt }, t ? { ...t, confirmedAt, expiresAt } : null);
      else this.#memory.delete([manifest]);
      return m !== undefined;
    });
  }

  // Writes batched last-use times; records deleted meanwhile stay deleted.
  touch(manifests: Map<string, { key: ManifestKey; at: number }>, tags: Map<string, { key: TagKey; at: number }>): Promise<boolean> {
    return this.#run('recording recent use', false, async (db) => {
      const tx = settled(db.transaction(['manifests', 'tags'], 'readwrite'));
      const ms = tx.objectStore('manifests');
      const ts = tx.objectStore('tags');
      await Promise.all([
        ...[...manifests.values()].map(async ({ key, at }) => {
          const m = await ms.get(key);
          if (m && m.lastUsed < at) await ms.put({ ...m, lastUsed: at });
        }),
        ...[...tags.values()].map(async ({ key, at }) => {
          const t = await ts.get(key);
          if (t && t.lastUsed < at) await ts.put({ ...t, lastUsed: at });
        }),
      ]);
      await tx.done;
      return true;
    });
  }

  // After a committed write. Had anything been deleted or reset since the write began (the
  // database deleted or cleared underneath, say), it may have lost the records already:
  // forget them rather than remember them, so the memory never outlives the database.
  #remember(generation: number, manifest: ManifestRecord | null, tag: TagRecord | null): void {
    if (generation === this.#memory.generation) {
      if (manifest) this.#memory.setManifest(manifest);
      if (tag) this.#memory.setTag(tag);
      return;
    }
    this.#forget({ manifests: manifest ? [manifestKey(manifest)] : [], tags: tag ? [tagKey(tag)] : [] });
  }

  // Deletes forget in memory both before and after the database does, so that no read
  // in between can put a deleted record back in memory.
  #forget(removed: Pick<SweepResult, 'manifests' | 'tags'>): void {
    this.#memory.delete([...removed.manifests, ...removed.tags]);
  }

  // Drops one Accept variant of a tag.
  dropTag(key: TagKey): Promise<boolean> {
    return this.#dropTagsIn(key, () => this.#memory.delete([key]));
  }

  // Drops every Accept variant of a tag (it was deleted or overwritten upstream).
  dropTagVariants(upstream: string, repository: string, tag: string): Promise<boolean> {
    return this.#dropTagsIn(allVariantsOf(upstream, repository, tag), () => this.#memory.deleteTagVariants(upstream, repository, tag));
  }

  async #dropTagsIn(query: TagKey | IDBKeyRange, forget: () => void): Promise<boolean> {
    forget();
    const dropped = await this.#run('dropping a tag', false, async (db) => {
      const tx = this.#records(db);
      await deleteTagsIn(tx, await tx.objectStore('tags').getAll(query));
      await tx.done;
      return true;
    });
    forget();
    return dropped;
  }

  // Drops a manifest and every tag record that points at it.
  async dropManifest(key: ManifestKey): Promise<boolean> {
    this.#memory.delete([key]);
    const removed: SweepResult = { manifests: [], tags: [], visited: 0 };
    const dropped = await this.#run('dropping a manifest', false, async (db) => {
      const tx = this.#records(db);
      const record = await tx.objectStore('manifests').get(key);
      if (record) await deleteManifestsIn(tx, [record], removed);
      await tx.done;
      return true;
    });
    this.#forget(removed);
    return dropped;
  }

  // Deletes what has expired by `now`, visiting only expired records through the
  // by-expiry indexes, in short transactions.
  async sweep(now: number): Promise<SweepResult> {
    const result: SweepResult = { manifests: [], tags: [], visited: 0 };
    const expired = IDBKeyRange.upperBound(now);
    await this.#run('sweeping expired records', undefined, async (db) => {
      // Most sweeps find nothing: look first.
      if ((await earliest(db)) > now) return;
      for (;;) {
        const tx = this.#records(db);
        const records = await tx.objectStore('manifests').index('by-expiry').getAll(expired, SWEEP_BATCH);
        await deleteManifestsIn(tx, records, result);
        await tx.done;
        if (records.length < SWEEP_BATCH) break;
      }
      // Tags can expire before their manifest: a re-check extends only the one it used.
      for (;;) {
        const tx = this.#records(db);
        const records = await tx.objectStore('tags').index('by-expiry').getAll(expired, SWEEP_BATCH);
        result.visited += records.length;
        const keys = await deleteTagsIn(tx, records);
        await tx.done;
        result.tags.push(...keys);
        if (records.length < SWEEP_BATCH) break;
      }
    });
    this.#forget(result);
    return result;
  }

  // The earliest expiresAt of anything stored, or null when nothing expires.
  earliestExpiry(): Promise<number | null> {
    return this.#run('finding the next expiry', null, async (db) => {
      const due = await earliest(db);
      return Number.isFinite(due) ? due : null;
    });
  }

  bytes(): Promise<number> {
    return this.#run(
      'reading the stored size',
      0,
      async (db) => ((await settled(db.transaction('meta')).store.get(BYTES)) as number | undefined) ?? 0,
    );
  }

  // Evicts least recently used manifests (with their tags) until the records stored cost at
  // most `budget` bytes, and at least `atLeast` bytes were freed.
  evict(budget: number, atLeast = 0): Promise<SweepResult> {
    const result: SweepResult = { manifests: [], tags: [], visited: 0 };
    return this.#run('evicting records', result, async (db) => {
      const tx = this.#records(db);
      const meta = tx.objectStore('meta');
      const start = ((await meta.get(BYTES)) as number | undefined) ?? 0;
      let total = start;
      let cursor = await tx.objectStore('manifests').index('by-last-used').openCursor();
      while (cursor && (total > budget || start - total < atLeast)) {
        const record = cursor.value;
        cursor = await cursor.continue();
        total -= await deleteManifestsIn(tx, [record], result);
      }
      await tx.done;
      this.#forget(result);
      return result;
    });
  }

  // What the page client lists: no bodies, and null for "never expires".
  async entries(): Promise<Entry[]> {
    return this.#run('listing records', [], async (db) => {
      const tx = settled(db.transaction(['manifests', 'tags']));
      const out: Entry[] = [];
      const entry = (r: ManifestRecord | TagRecord, more: Pick<Entry, 'kind' | 'reference'> & Partial<Entry>): Entry => {
        const { upstream, repository, digest, fetchedAt, confirmedAt, expiresAt, lastUsed } = r;
        const expires = Number.isFinite(expiresAt) ? expiresAt : null;
        return { upstream, repository, digest, fetchedAt, confirmedAt, expiresAt: expires, lastUsed, ...more };
      };
      let cursor = await tx.objectStore('manifests').openCursor();
      while (cursor) {
        const { digest, mediaType, size } = cursor.value;
        out.push(entry(cursor.value, { kind: 'manifest', reference: digest, mediaType, size }));
        cursor = await cursor.continue();
      }
      for (const tag of await tx.objectStore('tags').getAll())
        out.push(entry(tag, { kind: 'tag', reference: tag.tag, accept: tag.accept }));
      return out;
    });
  }

  // Deletes matching records; a reference matches a tag by name and a manifest by digest
  // (which takes every tag pointing at it along).
  async purge(filter: PurgeFilter): Promise<SweepResult> {
    const result: SweepResult = { manifests: [], tags: [], visited: 0 };
    // Rare and user-driven: dropping the whole memory is simpler than matching it.
    this.#memory.clear();
    await this.#run('purging records', undefined, async (db) => {
      const tx = this.#records(db);
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
    });
    this.#memory.clear();
    return result;
  }

  // Deletes every record; answers how many there were.
  async clear(): Promise<number> {
    this.#memory.clear();
    const deleted = await this.#run('clearing the store', 0, async (db) => {
      const tx = this.#records(db);
      const manifests = tx.objectStore('manifests');
      const tags = tx.objectStore('tags');
      const [m, t] = await Promise.all([manifests.count(), tags.count()]);
      await Promise.all([manifests.clear(), tags.clear(), tx.objectStore('meta').delete(BYTES)]);
      await tx.done;
      return m + t;
    });
    this.#memory.clear();
    return deleted;
  }

  getMeta<T>(key: string): Promise<T | undefined> {
    return this.#run(`reading ${key}`, undefined, async (db) => (await settled(db.transaction('meta')).store.get(key)) as T | undefined);
  }

  // Read-modify-write of one meta value in a single transaction.
  updateMeta<T>(key: string, update: (current: T | undefined) => T): Promise<boolean> {
    return this.#run(`updating ${key}`, false, async (db) => {
      const tx = settled(db.transaction('meta', 'readwrite'));
      await tx.store.put(update((await tx.store.get(key)) as T | undefined), key);
      await tx.done;
      return true;
    });
  }

  putMeta(key: string, value: unknown): Promise<boolean> {
    return this.#run(`writing ${key}`, false, async (db) => {
      await db.put('meta', value, key);
      return true;
    });
  }
}
