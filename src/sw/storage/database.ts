// The connection to IndexedDB: opening (and upgrading, through migrations.ts), stepping
// aside for a newer worker, failing fast while an upgrade is blocked, and reopening once
// when the connection was closed underneath. Storage trouble never fails a request: `run`
// reports it and answers a fallback, so the caller answers from upstream.
import { type IDBPDatabase, type IDBPTransaction, openDB } from 'idb';
import { migrate } from './migrations.js';
import { DB_NAME, type RegcacheSchema, SCHEMA_VERSION } from './schema.js';

export type Db = IDBPDatabase<RegcacheSchema>;
/** A transaction over every record store and meta, in which a write keeps the running total. */
export type RecordsTx = IDBPTransaction<RegcacheSchema, ('manifests' | 'tags' | 'meta')[], 'readwrite' | 'versionchange'>;

/** The pending open is blocked by another connection that does not close for the upgrade. */
export class StoreBlockedError extends Error {
  override name = 'StoreBlockedError';
}

// idb gives every transaction a `done` promise. When one of its requests fails first (the
// connection was closed or the database deleted underneath), the code awaiting that request
// never gets to `done`, whose rejection would then go unhandled.
export function settled<T extends { done: Promise<void> }>(tx: T): T {
  tx.done.catch(() => undefined);
  return tx;
}

/** A read-write transaction over manifests, tags and meta. */
export function recordsTx(db: Db): RecordsTx {
  return settled(db.transaction(['manifests', 'tags', 'meta'], 'readwrite'));
}

/** Says in the console that `what` failed and the answer comes from upstream instead. */
export function report(what: string, error: unknown): void {
  console.warn(`regcache: ${what} failed; answering from upstream instead.`, error);
}

export class Database {
  #db: Promise<Db> | null = null;
  // Rejects once the pending open is blocked: another connection (an older page or worker)
  // holds the database and does not close for the upgrade. Until it does, operations fail
  // at once, so requests are answered from upstream instead of waiting on it.
  #blocked: Promise<never> | null = null;

  /** `onReset` runs whenever the connection is dropped: what was read through it may be gone. */
  readonly #onReset: () => void;

  constructor(onReset: () => void) {
    this.#onReset = onReset;
  }

  // The connection is gone (database deleted, storage cleared, another version wants it).
  #reset(): void {
    this.#db = null;
    this.#onReset();
  }

  #open(): Promise<Db> {
    const db = this.#db ?? this.#connect();
    return this.#blocked ? Promise.race([db, this.#blocked]) : db;
  }

  #connect(): Promise<Db> {
    let onBlocked!: () => void;
    const blocked = new Promise<never>((_, reject) => {
      onBlocked = () => reject(new StoreBlockedError('the database upgrade is blocked by another open connection'));
    });
    blocked.catch(() => undefined);
    this.#blocked = blocked;
    this.#db = openDB<RegcacheSchema>(DB_NAME, SCHEMA_VERSION, {
      upgrade(db, from, _to, tx) {
        // idb gives the upgrade its `done` promise too, which rejects when the origin's storage
        // is cleared mid-upgrade; the open request reports that failure already.
        migrate(db, from, settled(tx)).catch(() => undefined);
      },
      // Another worker version wants to upgrade: step aside, reopen on next use.
      blocking: (_current, _next, event) => {
        (event.target as IDBDatabase).close();
        this.#reset();
      },
      terminated: () => this.#reset(),
      blocked: () => onBlocked(),
    }).then(
      (db) => {
        if (this.#blocked === blocked) this.#blocked = null;
        return db;
      },
      (error: unknown) => {
        this.#reset();
        throw error;
      },
    );
    return this.#db;
  }

  /** Runs an operation, reopening once if the connection was closed underneath; throws what it throws. */
  async attempt<T>(op: (db: Db) => Promise<T>): Promise<T> {
    try {
      return await op(await this.#open());
    } catch (error) {
      if (!(error instanceof DOMException && error.name === 'InvalidStateError')) throw error;
      this.#reset();
      return op(await this.#open());
    }
  }

  /** As `attempt`, but a failure is reported (naming `what`) and answers `fallback`. */
  async run<T>(what: string, fallback: T, op: (db: Db) => Promise<T>): Promise<T> {
    try {
      return await this.attempt(op);
    } catch (error) {
      report(what, error);
      return fallback;
    }
  }

  /** As `run`, for an operation that answers nothing: true once it is done, false on failure. */
  ok(what: string, op: (db: Db) => Promise<unknown>): Promise<boolean> {
    return this.run(what, false, async (db) => {
      await op(db);
      return true;
    });
  }
}
