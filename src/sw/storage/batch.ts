// Collects work and writes it later in one go, so no single request pays for the write.

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Work collected and run later in one go: `schedule()` it, wait for it with `idle()`, or run it `now()`. */
export interface Debounced {
  /** Runs the work `delayMs` from now, unless a run is scheduled already. */
  schedule(): void;
  /** Settles once nothing is scheduled or running: lets a worker event stay alive until its batched writes have landed. */
  idle(): Promise<void>;
  /** Runs the pending work at once; runs never overlap. */
  now(): Promise<void>;
}

// A closure rather than a class: the worker has a size budget, and closed-over names
// minify to one letter where `this.#name` does not.
export function debounced(work: () => Promise<void>, delayMs: number, timers: Timers = realTimers): Debounced {
  let handle: unknown = null;
  let running: Promise<void> = Promise.resolve();
  // Settles after the scheduled run: one promise for all who wait on it, not a timer each.
  let scheduled = running;
  let ran = () => {};
  const now = (): Promise<void> => {
    if (handle !== null) timers.clearTimeout(handle);
    handle = null;
    running = running.then(work, work);
    running.then(ran, ran);
    return running;
  };
  const idle = (): Promise<void> => (handle === null ? running : scheduled.then(idle));
  return {
    schedule() {
      if (handle !== null) return;
      handle = timers.setTimeout(() => void now(), delayMs);
      scheduled = new Promise((resolve) => {
        ran = resolve;
      });
    },
    idle,
    now,
  };
}
