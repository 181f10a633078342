// What hits did to the records, batched so that a hit never waits on a write: last-use times
// for the LRU budget, and longer lives for records upstream vouched for again. The memory
// copy has a longer life at once, so the next request sees it; a worker stopped before the
// write loses only the extension: the record keeps its old expiry, and is re-checked or
// fetched again as it would have been.
import { type Debounced, debounced, type Timers } from './batch.js';
import { manifestKey, tagKey } from './keys.js';
import type { ManifestKey, ManifestRecord, TagKey, TagRecord } from './schema.js';
import type { ManifestStore } from './store.js';

const FLUSH_DELAY_MS = 1_000;

/** One confirmation: the manifest (and the tag that led to it, if any) upstream vouched for at `confirmedAt` (ms), to live until `expiresAt` (ms; Infinity for ttl=0). */
export interface Extension {
  manifest: ManifestKey;
  tag: TagKey | null;
  confirmedAt: number;
  expiresAt: number;
}

export class Recency {
  #manifests = new Map<string, { key: ManifestKey; at: number }>();
  #tags = new Map<string, { key: TagKey; at: number }>();
  // In order: a later confirmation of the same record lands after, and wins.
  #extensions: Extension[] = [];
  readonly #flusher: Debounced;
  readonly #store: Pick<ManifestStore, 'touch' | 'extendRemembered'>;

  constructor(store: Pick<ManifestStore, 'touch' | 'extendRemembered'>, timers?: Timers) {
    this.#store = store;
    this.#flusher = debounced(() => this.#write(), FLUSH_DELAY_MS, timers);
  }

  used(manifest: ManifestRecord, tag: TagRecord | null, at: number): void {
    const m = manifestKey(manifest);
    this.#manifests.set(m.join('\n'), { key: m, at });
    if (tag) {
      const t = tagKey(tag);
      this.#tags.set(t.join('\n'), { key: t, at });
    }
    this.#flusher.schedule();
  }

  /** Upstream vouched for these records again: their lives are longer now in memory, in IndexedDB with the next batch. */
  extend(extension: Extension): void {
    this.#store.extendRemembered(extension);
    this.#extensions.push(extension);
    this.#flusher.schedule();
  }

  async #write(): Promise<void> {
    const manifests = this.#manifests;
    const tags = this.#tags;
    const extensions = this.#extensions;
    this.#manifests = new Map();
    this.#tags = new Map();
    this.#extensions = [];
    // Every use names a manifest, and every extension comes with a use (the hit it answered).
    if (manifests.size) await this.#store.touch(manifests, tags, extensions);
  }

  // Eviction must see the latest use times, a sweep or a client the latest expiries.
  flush(): Promise<void> {
    return this.#flusher.now();
  }

  /** Settles once nothing is pending or being written. */
  idle(): Promise<void> {
    return this.#flusher.idle();
  }
}
