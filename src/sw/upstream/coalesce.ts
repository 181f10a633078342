// Identical concurrent requests share one upstream call.

export class InFlight<T> {
  readonly #pending = new Map<string, Promise<T>>();

  /** The call running under `key`, if any. */
  get(key: string): Promise<T> | undefined {
    return this.#pending.get(key);
  }

  // `joined` tells the caller it is riding on someone else's call.
  run(key: string, task: () => Promise<T>): { result: Promise<T>; joined: boolean } {
    const existing = this.#pending.get(key);
    if (existing) return { result: existing, joined: true };
    const result = task().finally(() => this.#pending.delete(key));
    this.#pending.set(key, result);
    return { result, joined: false };
  }
}
