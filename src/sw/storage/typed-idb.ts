// IndexedDB with promises, typed by a schema (schema.ts): requests answer promises, a
// transaction has `done`, a cursor's `continue()` answers the next position. It is the part
// of the idb library regcache used, in a fraction of its bytes: a proxy over the native
// objects, which forwards everything else untouched.

/** One store: its key, its value and its indexes' keys. */
export interface StoreSchema {
  key: IDBValidKey;
  value: unknown;
  indexes?: Record<string, IDBValidKey>;
}

/** Stores by name, as schema.ts describes them. */
export type DbSchema<S> = { [N in keyof S]: StoreSchema };

type StoreName<S> = keyof S & string;
type KeyOf<S extends DbSchema<S>, N extends StoreName<S>> = S[N]['key'];
type ValueOf<S extends DbSchema<S>, N extends StoreName<S>> = S[N]['value'];
type Indexes<S extends DbSchema<S>, N extends StoreName<S>> = NonNullable<S[N]['indexes']>;
type Query<K> = K | IDBKeyRange | null | undefined;

/** A cursor's position: `continue()` answers the next one, or null past the last. */
export interface KeyCursor<K, P> {
  readonly key: K;
  readonly primaryKey: P;
  continue(): Promise<this | null>;
}

export interface Cursor<V, K, P> extends KeyCursor<K, P> {
  readonly value: V;
}

/** What a store and an index both read, by `K` (the store's key or the index's) to records of primary key `P`. */
export interface Source<V, K, P> {
  get(query: Query<K>): Promise<V | undefined>;
  getKey(query: Query<K>): Promise<P | undefined>;
  getAll(query?: Query<K>, count?: number): Promise<V[]>;
  getAllKeys(query?: Query<K>, count?: number): Promise<P[]>;
  count(query?: Query<K>): Promise<number>;
  openCursor(query?: Query<K>, direction?: IDBCursorDirection): Promise<Cursor<V, K, P> | null>;
  openKeyCursor(query?: Query<K>, direction?: IDBCursorDirection): Promise<KeyCursor<K, P> | null>;
}

export interface Store<S extends DbSchema<S>, N extends StoreName<S>> extends Source<ValueOf<S, N>, KeyOf<S, N>, KeyOf<S, N>> {
  index<I extends keyof Indexes<S, N> & string>(name: I): Source<ValueOf<S, N>, Indexes<S, N>[I], KeyOf<S, N>>;
  put(value: ValueOf<S, N>, key?: KeyOf<S, N>): Promise<KeyOf<S, N>>;
  delete(query: Query<KeyOf<S, N>>): Promise<void>;
  clear(): Promise<void>;
  createIndex(name: keyof Indexes<S, N> & string, keyPath: string | string[]): IDBIndex;
}

export interface Tx<S extends DbSchema<S>, N extends StoreName<S>> {
  objectStore<M extends N>(name: M): Store<S, M>;
  /**
   * Resolves when the transaction commits, rejects when it aborts (with its error, or an
   * `AbortError`). Its rejection is handled already: awaiting it is optional.
   */
  readonly done: Promise<void>;
  abort(): void;
}

export interface Db<S extends DbSchema<S>> {
  readonly objectStoreNames: DOMStringList;
  transaction<N extends StoreName<S>>(stores: N | N[], mode?: IDBTransactionMode): Tx<S, N>;
  createObjectStore<N extends StoreName<S>>(name: N, options?: IDBObjectStoreParameters): Store<S, N>;
  deleteObjectStore(name: string): void;
}

const dones = new WeakMap<IDBTransaction, Promise<void>>();

/** The request's result (a cursor wrapped, records and keys as they are), or its error. */
function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result instanceof IDBCursor ? wrap(r.result) : r.result);
    r.onerror = () => reject(r.error);
  });
}

const traps: ProxyHandler<Record<string | symbol, unknown>> = {
  get(target, prop) {
    if (prop === 'done') return dones.get(target as unknown as IDBTransaction);
    // A cursor moves on through the request that opened it.
    if (prop === 'continue') {
      const cursor = target as unknown as IDBCursor;
      return () => {
        cursor.continue();
        return request(cursor.request);
      };
    }
    const value = target[prop];
    return typeof value === 'function' ? (...args: unknown[]) => wrap(value.apply(target, args)) : value;
  },
};

// What the native methods answer: a request, another IndexedDB object, or nothing.
function wrap<T>(value: T): T {
  if (value instanceof IDBRequest) return request(value) as T;
  if (value instanceof IDBTransaction) {
    // Made when the transaction is (each is wrapped once, as a method answers it), or its
    // events could pass before anyone asks.
    const done = new Promise<void>((resolve, reject) => {
      value.oncomplete = () => resolve();
      value.onerror = value.onabort = () => reject(value.error ?? new DOMException('AbortError', 'AbortError'));
    });
    done.catch(() => undefined);
    dones.set(value, done);
  }
  return value && typeof value === 'object' ? (new Proxy(value as Record<string | symbol, unknown>, traps) as T) : value;
}

/**
 * Opens (and upgrades) the database `name` at `version`. `upgrade` gets a database older than
 * `version` (`from` 0 for a new one) inside its upgrade transaction; `blocked` runs while
 * another connection does not close for the upgrade; `closed` once the open connection is
 * gone: closed here for another connection's upgrade, or by the browser (storage cleared,
 * database deleted).
 */
export function openDb<S extends DbSchema<S>>(
  name: string,
  version: number,
  upgrade: (db: Db<S>, from: number, tx: Tx<S, StoreName<S>>) => void,
  blocked: () => void,
  closed: () => void,
): Promise<Db<S>> {
  const open = indexedDB.open(name, version);
  open.onupgradeneeded = (event) =>
    upgrade(wrap(open.result) as unknown as Db<S>, event.oldVersion, wrap(open.transaction) as unknown as Tx<S, StoreName<S>>);
  open.onblocked = blocked;
  return request(open).then((db) => {
    db.onclose = closed;
    db.onversionchange = () => {
      db.close();
      closed();
    };
    return wrap(db) as unknown as Db<S>;
  });
}
