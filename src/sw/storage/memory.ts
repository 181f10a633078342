// A bounded in-memory copy of records in front of IndexedDB, so that a warm hit needs no
// database read. It only ever holds what IndexedDB holds: it is filled after a read or a
// committed write, and emptied by every delete, before or as IndexedDB is.
import { manifestKey, tagKey } from './keys.js';
import { manifestCost, tagRecordCost } from './record-cost.js';
import type { ManifestKey, ManifestRecord, TagKey, TagRecord } from './schema.js';

/** The in-memory copy's default bound in what its records cost (record-cost.ts), bytes: enough for every manifest a page is likely to show, small next to a worker's heap. */
export const MEMORY_BYTES = 16 * 1024 * 1024;
/** Its default bound in records: however small, a few thousand at most, as each also costs the heap its objects. */
export const MEMORY_RECORDS = 4096;

const id = (key: readonly string[]) => key.join('\u0000');

// Manifests and tags share one least-recently-used order (Map order), bounded both in what
// the records cost, as maxBytes counts them (a tag has no body but still costs its keys and
// overhead), and in their number.
export class RecordMemory {
  readonly #records = new Map<string, { record: ManifestRecord | TagRecord; cost: number }>();
  #bytes = 0;
  // Bumped by every delete. A database read that started before a delete may have seen
  // the deleted record, so it must not fill the memory with it.
  #epoch = 0;
  readonly #limitBytes: number;
  readonly #limitRecords: number;

  constructor(limitBytes: number, limitRecords: number) {
    this.#limitBytes = limitBytes;
    this.#limitRecords = limitRecords;
  }

  get generation(): number {
    return this.#epoch;
  }

  /** The record remembered under `key` (a manifest's or a tag's), now the most recently used. */
  recall<K extends ManifestKey | TagKey>(key: K): (K extends TagKey ? TagRecord : ManifestRecord) | undefined {
    const k = id(key);
    const entry = this.#records.get(k);
    if (entry) {
      // Re-insert: Map order is the eviction order.
      this.#records.delete(k);
      this.#records.set(k, entry);
    }
    return entry?.record as (K extends TagKey ? TagRecord : ManifestRecord) | undefined;
  }

  #set(key: readonly string[], record: ManifestRecord | TagRecord, cost: number, readAt: number | undefined): void {
    if (readAt !== undefined && readAt !== this.#epoch) return;
    const k = id(key);
    this.#drop(k);
    if (cost > this.#limitBytes) return;
    this.#records.set(k, { record, cost });
    this.#bytes += cost;
    for (const oldest of this.#records.keys()) {
      if (this.#bytes <= this.#limitBytes && this.#records.size <= this.#limitRecords) break;
      this.#drop(oldest);
    }
  }

  /** Remembers a manifest or a tag record (a tag record has a `tag`). */
  remember(record: ManifestRecord | TagRecord, readAt?: number): void {
    if ('tag' in record) this.#set(tagKey(record), record, tagRecordCost(record), readAt);
    else this.#set(manifestKey(record), record, manifestCost(record), readAt);
  }

  #drop(k: string): void {
    this.#bytes -= this.#records.get(k)?.cost ?? 0;
    this.#records.delete(k);
  }

  delete(keys: readonly (ManifestKey | TagKey)[]): void {
    this.#epoch++;
    for (const key of keys) this.#drop(id(key));
  }

  // Every Accept variant of one tag.
  deleteTagVariants(upstream: string, repository: string, tag: string): void {
    this.#epoch++;
    const prefix = id([upstream, repository, tag, '']);
    for (const k of this.#records.keys()) if (k.startsWith(prefix)) this.#drop(k);
  }

  clear(): void {
    this.#epoch++;
    this.#records.clear();
    this.#bytes = 0;
  }
}
