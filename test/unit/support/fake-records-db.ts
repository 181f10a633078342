// A small in-memory stand-in for regcache's IndexedDB database, for the storage modules'
// batching logic in Node. Like Chromium, it leaves a deleted or replaced record's index
// entries behind and skips them on reads, counting each entry it steps over, so a test can
// tell how much of an index a sweep walked.

type Key = number | string | Key[];

export function cmp(a: Key, b: Key): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = cmp(a[i]!, b[i]!);
      if (c) return c;
    }
    return a.length - b.length;
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b)) return typeof a === 'number' ? -1 : Array.isArray(a) ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

class Range {
  constructor(
    readonly lower: Key | undefined,
    readonly upper: Key | undefined,
  ) {}
  includes(k: Key): boolean {
    return (this.lower === undefined || cmp(k, this.lower) >= 0) && (this.upper === undefined || cmp(k, this.upper) <= 0);
  }
  static bound(l: Key, u: Key) {
    if (cmp(l, u) > 0) throw new Error('DataError: lower above upper');
    return new Range(l, u);
  }
  static upperBound(u: Key) {
    return new Range(undefined, u);
  }
  static lowerBound(l: Key) {
    return new Range(l, undefined);
  }
  static only(k: Key) {
    return new Range(k, k);
  }
}

/** Puts a minimal IDBKeyRange on globalThis (Node has none). */
export function installKeyRange(): void {
  (globalThis as { IDBKeyRange?: unknown }).IDBKeyRange = Range;
}

const keyPaths: Record<string, string[]> = {
  manifests: ['upstream', 'repository', 'digest'],
  tags: ['upstream', 'repository', 'tag', 'accept'],
};
const indexPaths: Record<string, Record<string, (r: Record<string, unknown>) => Key>> = {
  manifests: { 'by-expiry': (r) => r.expiresAt as number, 'by-last-used': (r) => r.lastUsed as number },
  tags: {
    'by-expiry': (r) => r.expiresAt as number,
    'by-manifest': (r) => [r.upstream, r.repository, r.digest] as Key,
  },
};

export class FakeDb {
  readonly stores = new Map<string, Map<string, { key: Key; value: unknown }>>();
  // Every index entry ever written: [store, index] -> entries.
  readonly entries = new Map<string, Array<{ key: Key; primary: Key }>>();
  /** Index entries stepped over, by "store/index". */
  readonly scanned = new Map<string, number>();
  /** Each transaction: its stores, its mode, and how many records it put. */
  readonly transactions: Array<{ stores: string[]; mode: string; puts: number }> = [];
  // Each index's entries in order, until the next put.
  readonly #sorted = new Map<string, Array<{ key: Key; primary: Key }>>();

  constructor() {
    for (const s of ['manifests', 'tags', 'meta']) this.stores.set(s, new Map());
  }

  primaryOf(store: string, value: Record<string, unknown>): Key {
    return keyPaths[store]!.map((p) => value[p] as Key);
  }

  put(store: string, value: unknown, key?: Key): void {
    const primary = key ?? this.primaryOf(store, value as Record<string, unknown>);
    this.stores.get(store)!.set(JSON.stringify(primary), { key: primary, value: structuredClone(value) });
    for (const [name, of] of Object.entries(indexPaths[store] ?? {})) {
      const list = this.entries.get(`${store}/${name}`) ?? [];
      list.push({ key: of(value as Record<string, unknown>), primary });
      this.entries.set(`${store}/${name}`, list);
      this.#sorted.delete(`${store}/${name}`);
    }
  }

  get(store: string, key: Key): unknown {
    return structuredClone(this.stores.get(store)!.get(JSON.stringify(key))?.value);
  }

  // The first `count` live entries of an index's range, stepping over no more than that.
  #take(store: string, index: string, range: Range | Key | undefined, count: number) {
    const out = [];
    for (const e of this.#walk(store, index, range)) {
      if (out.length >= count) break;
      out.push(e);
    }
    return out;
  }

  // Live entries of an index in order, counting every entry stepped over.
  *#walk(store: string, index: string, range: Range | Key | undefined) {
    const r = range instanceof Range ? range : range === undefined ? new Range(undefined, undefined) : Range.only(range);
    const of = indexPaths[store]![index]!;
    const name = `${store}/${index}`;
    let list = this.#sorted.get(name);
    if (!list) {
      list = [...(this.entries.get(name) ?? [])].sort((a, b) => cmp(a.key, b.key) || cmp(a.primary, b.primary));
      this.#sorted.set(name, list);
    }
    const seen = new Set<string>();
    // Where the range starts, by binary search: what a seek costs is not what is counted.
    let lo = 0;
    let hi = list.length;
    while (r.lower !== undefined && lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp(list[mid]!.key, r.lower) < 0) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < list.length; i++) {
      const e = list[i]!;
      if (!r.includes(e.key)) break;
      this.scanned.set(`${store}/${index}`, (this.scanned.get(`${store}/${index}`) ?? 0) + 1);
      const id = JSON.stringify(e.primary);
      const live = this.stores.get(store)!.get(id);
      if (!live || seen.has(id) || cmp(of(live.value as Record<string, unknown>), e.key) !== 0) continue;
      seen.add(id);
      yield { key: e.key, primary: e.primary, value: structuredClone(live.value) };
    }
  }

  transaction(names: string | string[], mode = 'readonly') {
    const record = { stores: ([] as string[]).concat(names), mode, puts: 0 };
    this.transactions.push(record);
    const storeOf = (name: string) => ({
      get: async (k: Key) => this.get(name, k),
      getKey: async (k: Key) => (this.stores.get(name)!.has(JSON.stringify(k)) ? k : undefined),
      put: async (v: unknown, k?: Key) => {
        record.puts++;
        this.put(name, v, k);
      },
      delete: async (k: Key) => {
        this.stores.get(name)!.delete(JSON.stringify(k));
      },
      index: (index: string) => ({
        getAll: async (q?: Range | Key, count = Infinity) => this.#take(name, index, q, count).map((e) => e.value),
        getAllKeys: async (q?: Range | Key, count = Infinity) => this.#take(name, index, q, count).map((e) => e.primary),
        openKeyCursor: async () => {
          const first = this.#walk(name, index, undefined).next();
          return first.done ? null : { key: first.value.key, primaryKey: first.value.primary };
        },
      }),
    });
    return {
      objectStore: storeOf,
      get store() {
        return storeOf(record.stores[0]!);
      },
      done: Promise.resolve(),
      abort() {},
    };
  }
}
