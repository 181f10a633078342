// Last-use times for the LRU budget, batched so that a hit never waits on a write.
import { Debounced, type Timers } from './batch.js';
import { manifestKey, tagKey } from './keys.js';
import type { ManifestKey, ManifestRecord, TagKey, TagRecord } from './schema.js';
import type { ManifestStore } from './store.js';

const FLUSH_DELAY_MS = 1_000;

export class Recency {
  #manifests = new Map<string, { key: ManifestKey; at: number }>();
  #tags = new Map<string, { key: TagKey; at: number }>();
  readonly #flusher: Debounced;
  readonly #store: ManifestStore;

  constructor(store: ManifestStore, timers?: Timers) {
    this.#store = store;
    this.#flusher = new Debounced(() => this.#write(), FLUSH_DELAY_MS, timers);
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

  async #write(): Promise<void> {
    const manifests = this.#manifests;
    const tags = this.#tags;
    this.#manifests = new Map();
    this.#tags = new Map();
    if (manifests.size + tags.size > 0) await this.#store.touch(manifests, tags);
  }

  // Eviction must see the latest use times.
  flush(): Promise<void> {
    return this.#flusher.now();
  }
}
