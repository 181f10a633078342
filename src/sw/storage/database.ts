// The connection to IndexedDB: opening (and upgrading, through migrations.ts), stepping
// aside for a newer worker, failing fast while an upgrade is blocked, and reopening once
// when the connection was closed underneath. Storage trouble never fails a request: `run`
// reports it and answers a fallback, so the caller answers from upstream.
import { migrate } from './migrations.js';
import { DB_NAME, type RegcacheSchema, SCHEMA_VERSION } from './schema.js';
import { openDb, type Tx, type Db as TypedDb } from './typed-idb.js';

export type Db = TypedDb<RegcacheSchema>;
/** A transaction over every record store and meta, in which a write keeps the running total. */
export type RecordsTx = Tx<RegcacheSchema, 'manifests' | 'tags' | 'meta'>;

/** The pending open is blocked by another connection that does not close for the upgrade. */
export class StoreBlockedError extends Error {
  override name = 'StoreBlockedError';
}

/** A read-write transaction over manifests, tags and meta. */
export function recordsTx(db: Db): RecordsTx {
  return db.transaction(['manifests', 'tags', 'meta'], 'readwrite');
}

/** Says in the console that `what` (a short name of the operation) failed: a read answers "not stored", the caller goes on. */
export function report(what: string, error: unknown): void {
  console.warn(`regcache: IndexedDB ${what} failed; carrying on without it.`, error);
}

export class Database {
  #db: Promise<Db> | null = null;
  // Rejects once the pending open is blocked: another connection (an older page or worker)
  // holds the database and does not close for the upgrade. Until it does, operations fail
  // at once, so requests are answered from upstream instead of waiting on it.
  #blocked: Promise<never> | null = null;
  readonly #onReset: () => void;

  /** `onReset` runs whenever the connection is dropped: what was read through it may be gone. */
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
      onBlocked = () => reject(new StoreBlockedError('upgrade blocked by another connection'));
    });
    blocked.catch(() => undefined);
    this.#blocked = blocked;
    // Another worker version wants to upgrade (the connection is closed for it), or the
    // browser closed it: reopen on next use. A failed step aborts the upgrade, and the open
    // request reports that failure already.
    this.#db = openDb<RegcacheSchema>(
      DB_NAME,
      SCHEMA_VERSION,
      (db, from, tx) => void migrate(db, from, tx).catch(() => undefined),
      () => onBlocked(),
      () => this.#reset(),
    ).then(
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
