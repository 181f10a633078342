// The one interface the worker stores through: it keeps the in-memory copy (memory.ts) in
// step with IndexedDB around each operation of the modules next to it. Storage trouble
// never fails a request: reads answer "not stored" and writes report false, so the caller
// answers from upstream.
import type { Entry, PurgeFilter } from '../../core/protocol.js';
import { readBytes } from './byte-total.js';
import { Database, recordsTx, report } from './database.js';
import { dropManifest, dropTags, nothingRemoved, type SweepResult } from './deletes.js';
import { evictLeastUsed } from './evict.js';
import { allVariantsOf, manifestKey, tagKey } from './keys.js';
import { listEntries } from './listing.js';
import { MEMORY_BYTES, MEMORY_RECORDS, RecordMemory } from './memory.js';
import { getMeta, updateMeta } from './meta.js';
import { clearRecords, purgeMatching } from './purge.js';
import type { Extension } from './recency.js';
import { hasManifest, isQuotaError, putRecordsIn, StorageFullError, touchRecords, type Uses } from './records.js';
import type { ManifestKey, ManifestRecord, RegcacheSchema, TagKey, TagRecord } from './schema.js';
import { earliestExpiry, sweepExpired } from './sweep.js';

export type { SweepResult } from './deletes.js';

export class ManifestStore {
  readonly #memory: RecordMemory;
  // Whenever the connection goes, whatever the memory holds may no longer be in the database.
  readonly #db = new Database(() => this.#memory.clear());

  /** `memoryBytes` (default 16 MiB) and `memoryRecords` (default 4096) bound the in-memory copy. */
  constructor(memoryBytes = MEMORY_BYTES, memoryRecords = MEMORY_RECORDS) {
    this.#memory = new RecordMemory(memoryBytes, memoryRecords);
  }

  /** The stored manifest of this key (from memory when it holds it), or undefined. */
  getManifest(key: ManifestKey): Promise<ManifestRecord | undefined> {
    return this.#read('manifests', key);
  }

  /** The stored tag variant of this key (from memory when it holds it), or undefined. */
  getTag(key: TagKey): Promise<TagRecord | undefined> {
    return this.#read('tags', key);
  }

  // From memory when it holds the record; else from the database, remembering what was read
  // unless something was deleted meanwhile.
  async #read<S extends 'manifests' | 'tags'>(store: S, key: RegcacheSchema[S]['key']): Promise<RegcacheSchema[S]['value'] | undefined> {
    const remembered = this.#memory.recall(key) as RegcacheSchema[S]['value'] | undefined;
    if (remembered) return remembered;
    const generation = this.#memory.generation;
    const record = await this.#db.run(`${store} read`, undefined, (db) => db.transaction(store).objectStore(store).get(key));
    if (record) this.#memory.remember(record, generation);
    return record;
  }

  /**
   * The manifest and the tag pointing at it land together or not at all. A tag alone is
   * only written while its manifest is still stored, so a racing sweep can't orphan it.
   * With `overStored` (a background re-check's writes), nothing is written unless a tag
   * with `tag`'s key is still stored: a purge or drop made while the re-check was out
   * stays. Throws StorageFullError on a QuotaExceededError, so the caller can evict and retry.
   */
  async put(manifest: ManifestRecord | null, tag: TagRecord | null, overStored?: boolean): Promise<boolean> {
    const generation = this.#memory.generation;
    try {
      return await this.#db.attempt(async (db) => {
        const tx = recordsTx(db);
        // Checked in the write's own transaction, so no drop can come between.
        if (
          tag &&
          ((!manifest && !(await hasManifest(tx, manifestKey(tag)))) ||
            (overStored && (await tx.objectStore('tags').getKey(tagKey(tag))) === undefined))
        ) {
          tx.abort();
          await tx.done.catch(() => undefined);
          return false;
        }
        await putRecordsIn(tx, manifest ? [manifest] : [], tag ? [tag] : []);
        await tx.done;
        this.#remember(generation, manifest, tag);
        return true;
      });
    } catch (error) {
      if (isQuotaError(error)) throw new StorageFullError('quota', { cause: error });
      report('write', error);
      return false;
    }
  }

  /**
   * Upstream vouched for a record again: the memory copy, if it holds the records, has the
   * longer life at once; IndexedDB gets it from touch(), batched (recency.ts). A copy
   * dropped and read back before that write keeps the shorter life: at worst one more
   * re-check or fetch, never a record served past what upstream vouched for.
   */
  extendRemembered({ manifest, tag, confirmedAt, expiresAt }: Extension): void {
    const m = this.#memory.recall(manifest);
    const t = m && tag && this.#memory.recall(tag);
    if (m) this.#memory.remember({ ...m, confirmedAt, expiresAt });
    if (t) this.#memory.remember({ ...t, confirmedAt, expiresAt });
  }

  /** Writes what hits did, batched (recency.ts): expiry extensions, then last-use times; records deleted meanwhile stay deleted. */
  touch(manifests: Uses<ManifestKey>, tags: Uses<TagKey>, extensions: readonly Extension[] = []): Promise<boolean> {
    return this.#db.ok('touch', (db) => touchRecords(db, manifests, tags, extensions));
  }

  // After a committed write. Had anything been deleted or reset since the write began (the
  // database deleted or cleared underneath, say), it may have lost the records already:
  // forget them rather than remember them, so the memory never outlives the database.
  #remember(generation: number, manifest: ManifestRecord | null, tag: TagRecord | null): void {
    if (generation === this.#memory.generation) {
      if (manifest) this.#memory.remember(manifest);
      if (tag) this.#memory.remember(tag);
      return;
    }
    this.#forget({ manifests: manifest ? [manifestKey(manifest)] : [], tags: tag ? [tagKey(tag)] : [] });
  }

  // Deletes forget in memory both before and after the database does, so that no read
  // in between can put a deleted record back in memory.
  #forget(removed: Pick<SweepResult, 'manifests' | 'tags'>): void {
    this.#memory.delete([...removed.manifests, ...removed.tags]);
  }

  /** Drops one Accept variant of a tag. */
  dropTag(key: TagKey): Promise<boolean> {
    return this.#dropTags(key, () => this.#memory.delete([key]));
  }

  /** Drops every Accept variant of a tag (it was deleted or overwritten upstream). */
  dropTagVariants(upstream: string, repository: string, tag: string): Promise<boolean> {
    return this.#dropTags(allVariantsOf(upstream, repository, tag), () => this.#memory.deleteTagVariants(upstream, repository, tag));
  }

  async #dropTags(query: TagKey | IDBKeyRange, forget: () => void): Promise<boolean> {
    forget();
    const dropped = await this.#db.ok('tag drop', (db) => dropTags(db, query));
    forget();
    return dropped;
  }

  /** Drops a manifest and every tag record that points at it. */
  async dropManifest(key: ManifestKey): Promise<boolean> {
    this.#memory.delete([key]);
    const removed = nothingRemoved();
    const dropped = await this.#db.ok('manifest drop', (db) => dropManifest(db, key, removed));
    this.#forget(removed);
    return dropped;
  }

  /** Deletes what has expired by `now`. */
  async sweep(now: number): Promise<SweepResult> {
    const result = nothingRemoved();
    await this.#db.run('sweep', undefined, (db) => sweepExpired(db, now, result));
    this.#forget(result);
    return result;
  }

  /** The earliest expiresAt of anything stored, or null when nothing expires. */
  earliestExpiry(): Promise<number | null> {
    return this.#db.run('expiry read', null, async (db) => {
      const due = await earliestExpiry(db);
      return Number.isFinite(due) ? due : null;
    });
  }

  /** What the stored records cost, in bytes (record-cost.ts); 0 when unreadable. */
  bytes(): Promise<number> {
    return this.#db.run('size read', 0, (db) => readBytes(db.transaction('meta').objectStore('meta')));
  }

  /**
   * Evicts least recently used manifests (with their tags) until the records stored cost at
   * most `budget` bytes, and at least `atLeast` bytes were freed.
   */
  evict(budget: number, atLeast = 0): Promise<SweepResult> {
    const result = nothingRemoved();
    return this.#db.run('eviction', result, async (db) => {
      await evictLeastUsed(db, budget, atLeast, result);
      this.#forget(result);
      return result;
    });
  }

  /** What the page client lists: every manifest and tag, without bodies. */
  entries(): Promise<Entry[]> {
    return this.#db.run('listing', [], listEntries);
  }

  /** Deletes matching records (see purgeMatching). */
  async purge(filter: PurgeFilter): Promise<SweepResult> {
    const result = nothingRemoved();
    // Rare and user-driven: dropping the whole memory is simpler than matching it. The page's
    // importBundle() relies on it: it purges a filter that matches nothing to have the
    // worker read what the page wrote (src/client/bundle.ts).
    this.#memory.clear();
    await this.#db.run('purge', undefined, (db) => purgeMatching(db, filter, result));
    this.#memory.clear();
    return result;
  }

  /** Deletes every record; answers how many there were. */
  async clear(): Promise<number> {
    this.#memory.clear();
    const deleted = await this.#db.run('clear', 0, clearRecords);
    this.#memory.clear();
    return deleted;
  }

  /** The meta value stored under `key`, or undefined. */
  getMeta<T>(key: string): Promise<T | undefined> {
    return this.#db.run(`${key} read`, undefined, (db) => getMeta<T>(db, key));
  }

  /** Read-modify-write of one meta value in a single transaction. */
  updateMeta<T>(key: string, update: (current: T | undefined) => T): Promise<boolean> {
    return this.#db.ok(`${key} update`, (db) => updateMeta(db, key, update));
  }
}
