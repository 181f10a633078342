// Counters of what the cache did, kept across worker restarts. Increments collect in
// memory and are added to the stored totals in batches.
import type { RegcacheStats } from '../../core/protocol.js';
import { type Debounced, debounced, type Timers } from '../storage/batch.js';
import type { ManifestStore } from '../storage/store.js';

export type Counter = Exclude<keyof RegcacheStats, 'lastSweepVisited' | 'lastSweepDeleted' | 'storedBytes'>;
type Totals = Partial<Record<keyof RegcacheStats, number>>;

const STATS_KEY = 'stats';
// What a snapshot holds besides storedBytes, in the order it lists them.
const COUNTED = [
  'requests',
  'hits',
  'misses',
  'stale',
  'rechecks',
  'upstreamGets',
  'upstreamHeads',
  'bytesPulled',
  'bytesServed',
  'verificationFailures',
  'expired',
  'evicted',
  'lastSweepVisited',
  'lastSweepDeleted',
] as const satisfies readonly Exclude<keyof RegcacheStats, 'storedBytes'>[];
// Fails to compile when RegcacheStats gains a counter COUNTED does not list.
const _everyCounter: [Exclude<keyof RegcacheStats, 'storedBytes' | (typeof COUNTED)[number]>] extends [never] ? true : never = true;
const FLUSH_DELAY_MS = 200;

// Counters add up; the lastSweep values are replaced by newer ones.
function add(into: Totals, from: Totals): Totals {
  for (const [name, value] of Object.entries(from) as [keyof RegcacheStats, number][]) {
    into[name] = name.startsWith('lastSweep') ? value : (into[name] ?? 0) + value;
  }
  return into;
}

export class Stats {
  #pending: Totals = {};
  #failures = 0;
  readonly #flusher: Debounced;
  readonly #store: ManifestStore;

  constructor(store: ManifestStore, timers?: Timers) {
    this.#store = store;
    this.#flusher = debounced(() => this.#write(), FLUSH_DELAY_MS, timers);
  }

  bump(counter: Counter, by = 1): void {
    if (by === 0) return;
    this.#pending[counter] = (this.#pending[counter] ?? 0) + by;
    this.#flusher.schedule();
  }

  // Values that replace rather than add up.
  set(name: 'lastSweepVisited' | 'lastSweepDeleted', value: number): void {
    this.#pending[name] = value;
    this.#flusher.schedule();
  }

  async #write(): Promise<void> {
    const batch = this.#pending;
    this.#pending = {};
    if (Object.keys(batch).length === 0) return;
    const ok = await this.#store.updateMeta<Totals>(STATS_KEY, (current = {}) => add({ ...current }, batch));
    if (ok) {
      this.#failures = 0;
      return;
    }
    // Keep what could not be written, and try once more. Not more often than that: a database
    // that stays unwritable (a newer worker version upgraded it) must not keep this worker's
    // events, and so that version's activation, waiting forever. The next count retries too.
    this.#pending = add(batch, this.#pending);
    if (++this.#failures === 1) this.#flusher.schedule();
  }

  flush(): Promise<void> {
    return this.#flusher.now();
  }

  idle(): Promise<void> {
    return this.#flusher.idle();
  }

  async snapshot(): Promise<RegcacheStats> {
    await this.flush();
    const stored = (await this.#store.getMeta<Totals>(STATS_KEY)) ?? {};
    const out = {} as RegcacheStats;
    for (const name of COUNTED) out[name] = stored[name] ?? 0;
    out.storedBytes = await this.#store.bytes();
    return out;
  }
}
