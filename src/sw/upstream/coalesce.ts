// Identical concurrent requests share one upstream call. The map holds the calls running,
// by key: get() tells whether one is.

export class InFlight<T> extends Map<string, Promise<T>> {
  // `joined` tells the caller it is riding on someone else's call.
  run(key: string, task: () => Promise<T>): { result: Promise<T>; joined: boolean } {
    const existing = this.get(key);
    if (existing) return { result: existing, joined: true };
    const result = task().finally(() => this.delete(key));
    this.set(key, result);
    return { result, joined: false };
  }
}
