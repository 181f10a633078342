// An alarm for the earliest expiry. Timers die with the worker: a restarted worker honours
// one that fell due meanwhile with its start-up sweep. The due time is persisted for tests.
import { realTimers, type Timers } from '../storage/batch.js';
import type { Clock } from './expiry.js';

// setTimeout's delay is a signed 32-bit number of milliseconds.
const MAX_DELAY_MS = 2 ** 31 - 1;

export interface AlarmDeps {
  now: Clock;
  timers?: Timers;
  // The earliest expiresAt in the store, or null when nothing will expire.
  nextDue(): Promise<number | null>;
  persist(due: number | null): Promise<unknown>;
  fire(): Promise<unknown>;
}

export class ExpiryAlarm {
  #dueAt: number | null = null;
  #handle: unknown = null;
  readonly #timers: Timers;
  readonly #deps: AlarmDeps;

  constructor(deps: AlarmDeps) {
    this.#deps = deps;
    this.#timers = deps.timers ?? realTimers;
  }

  // Look at the store again: after a sweep, and at start.
  async rearm(): Promise<void> {
    this.#set(await this.#deps.nextDue());
  }

  // A write can only bring the alarm forward, never push it back.
  note(expiresAt: number): void {
    if (!Number.isFinite(expiresAt)) return;
    if (this.#dueAt === null || expiresAt < this.#dueAt) this.#set(expiresAt);
  }

  #set(due: number | null): void {
    if (this.#handle !== null) this.#timers.clearTimeout(this.#handle);
    this.#handle = null;
    const changed = due !== this.#dueAt;
    this.#dueAt = due;
    if (changed) void this.#deps.persist(due);
    if (due === null) return;
    const delay = Math.min(Math.max(0, due - this.#deps.now()), MAX_DELAY_MS);
    this.#handle = this.#timers.setTimeout(() => this.#ring(), delay);
  }

  #ring(): void {
    this.#handle = null;
    const due = this.#dueAt;
    if (due === null) return;
    // Early (timer granularity) or a long wait split into chunks: wait on.
    if (this.#deps.now() < due) {
      this.#set(due);
      return;
    }
    void this.#deps.fire();
  }
}
