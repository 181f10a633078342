// Collects work and writes it later in one go, so no single request pays for the write.

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class Debounced {
  #handle: unknown = null;
  #running: Promise<void> = Promise.resolve();
  // Settles after the scheduled run: one promise for all who wait on it, not a timer each.
  #scheduled: Promise<void> = this.#running;
  #ran = () => {};

  readonly #work: () => Promise<void>;
  readonly #delayMs: number;
  readonly #timers: Timers;

  constructor(work: () => Promise<void>, delayMs: number, timers: Timers = realTimers) {
    this.#work = work;
    this.#delayMs = delayMs;
    this.#timers = timers;
  }

  schedule(): void {
    if (this.#handle !== null) return;
    this.#handle = this.#timers.setTimeout(() => void this.now(), this.#delayMs);
    this.#scheduled = new Promise((resolve) => {
      this.#ran = resolve;
    });
  }

  // Settles once nothing is scheduled or running: lets a worker event stay alive
  // until its batched writes have landed.
  idle(): Promise<void> {
    return this.#handle === null ? this.#running : this.#scheduled.then(() => this.idle());
  }

  // Runs the pending work at once; runs never overlap.
  now(): Promise<void> {
    if (this.#handle !== null) this.#timers.clearTimeout(this.#handle);
    this.#handle = null;
    this.#running = this.#running.then(this.#work, this.#work);
    this.#running.then(this.#ran, this.#ran);
    return this.#running;
  }
}
