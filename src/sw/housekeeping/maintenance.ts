// Keeps the store within its rules without page traffic: sweeps of expired records and
// the LRU storage budget.
import type { SweepReport } from '../../core/protocol.js';
import type { Events } from '../reporting/events.js';
import type { Stats } from '../reporting/stats.js';
import type { Timers } from '../storage/batch.js';
import type { Recency } from '../storage/recency.js';
import type { ManifestStore } from '../storage/store.js';
import { ExpiryAlarm } from './alarm.js';
import type { Clock } from './expiry.js';

const ALARM_KEY = 'alarm';

// What the origin stores, as the browser's quota counts it; undefined where it cannot say
// (WebKitGTK has no navigator.storage).
async function usage(): Promise<number | undefined> {
  return (await navigator.storage?.estimate().catch(() => undefined))?.usage;
}

export interface MaintenanceOptions {
  store: ManifestStore;
  stats: Stats;
  recency: Recency;
  events: Events;
  maxBytes: number;
  now: Clock;
  timers?: Timers;
}

export class Maintenance {
  readonly alarm: ExpiryAlarm;
  #sweeping: Promise<SweepReport> | null = null;
  readonly #o: MaintenanceOptions;

  constructor(o: MaintenanceOptions) {
    this.#o = o;
    this.alarm = new ExpiryAlarm({
      now: o.now,
      timers: o.timers,
      nextDue: () => o.store.earliestExpiry(),
      persist: (due) => o.store.updateMeta(ALARM_KEY, () => due),
      fire: () => this.sweep(),
    });
  }

  // Concurrent callers share one sweep; the next one starts after it.
  sweep(): Promise<SweepReport> {
    this.#sweeping ??= this.#runSweep().finally(() => {
      this.#sweeping = null;
    });
    return this.#sweeping;
  }

  async #runSweep(): Promise<SweepReport> {
    const { store, stats, events } = this.#o;
    const result = await store.sweep(this.#o.now());
    const deleted = result.manifests.length + result.tags.length;
    stats.bump('expired', deleted);
    stats.set('lastSweepVisited', result.visited);
    stats.set('lastSweepDeleted', deleted);
    if (deleted > 0) events.emit({ type: 'expired', manifests: result.manifests.length, tags: result.tags.length });
    await this.alarm.rearm();
    return { deleted, visited: result.visited };
  }

  // After a manifest or a tag alone was stored: both count against the budget.
  async afterStore(record: { expiresAt: number }): Promise<void> {
    this.alarm.note(record.expiresAt);
    if ((await this.#o.store.bytes()) > this.#o.maxBytes) await this.evict(0);
  }

  // Frees at least `bytes` (for a write the quota refused), and gets under the budget.
  async evict(bytes: number): Promise<void> {
    await this.#o.recency.flush();
    // Only a write the quota refused waits for the space below; the budget's own
    // evictions, after every store over it, need no estimate.
    const before = bytes > 0 ? await usage() : undefined;
    const result = await this.#o.store.evict(this.#o.maxBytes, bytes);
    this.#o.stats.bump('evicted', result.manifests.length + result.tags.length);
    // Chromium counts space as freed only once the deleted values' files are gone, which
    // under load can be well after the commit; a write retried sooner meets the same full
    // quota. Wait (at most a second) until the browser sees the space. Without an estimate
    // there is nothing to watch: no wait.
    if (before === undefined) return;
    for (let i = 0; i < 20 && ((await usage()) ?? 0) > before - bytes; i++) {
      await new Promise((wake) => setTimeout(wake, 50));
    }
  }
}
