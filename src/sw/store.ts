// Reads and writes of stored manifests and tags. Storage trouble never fails a request:
// reads answer "not stored" and writes report false, so the caller answers from upstream.
import { openDB, type IDBPDatabase } from 'idb';
import {
  DB_NAME,
  MANIFEST_KEY_PATH,
  SCHEMA_VERSION,
  TAG_KEY_PATH,
  type ManifestKey,
  type ManifestRecord,
  type RegcacheSchema,
  type TagKey,
  type TagRecord,
} from './store-schema.js';

type Db = IDBPDatabase<RegcacheSchema>;

export function manifestKey(r: { upstream: string; repository: string; digest: string }): ManifestKey {
  return [r.upstream, r.repository, r.digest];
}

export function tagKey(r: { upstream: string; repository: string; tag: string; accept: string }): TagKey {
  return [r.upstream, r.repository, r.tag, r.accept];
}

// Every Accept variant of one tag sorts between these two keys.
function allVariantsOf(upstream: string, repository: string, tag: string): IDBKeyRange {
  return IDBKeyRange.bound([upstream, repository, tag, ''], [upstream, repository, tag, '\uffff']);
}

function report(what: string, error: unknown): void {
  console.warn(`regcache: ${what} failed; answering from upstream instead.`, error);
}

export class ManifestStore {
  private db: Promise<Db> | null = null;

  private open(): Promise<Db> {
    this.db ??= openDB<RegcacheSchema>(DB_NAME, SCHEMA_VERSION, {
      upgrade(db) {
        const manifests = db.createObjectStore('manifests', { keyPath: MANIFEST_KEY_PATH });
        manifests.createIndex('by-expiry', 'expiresAt');
        manifests.createIndex('by-last-used', 'lastUsed');
        const tags = db.createObjectStore('tags', { keyPath: TAG_KEY_PATH });
        tags.createIndex('by-expiry', 'expiresAt');
        tags.createIndex('by-manifest', MANIFEST_KEY_PATH);
        db.createObjectStore('meta');
      },
      // Another worker version wants to upgrade: step aside, reopen on next use.
      blocking: (_current, _next, event) => {
        (event.target as IDBDatabase).close();
        this.db = null;
      },
      terminated: () => {
        this.db = null;
      },
    }).catch((error: unknown) => {
      this.db = null;
      throw error;
    });
    return this.db;
  }

  private async run<T>(what: string, fallback: T, op: (db: Db) => Promise<T>): Promise<T> {
    try {
      return await op(await this.open());
    } catch (error) {
      // A closed connection (database deleted underneath, say) is worth one reopen.
      if (error instanceof DOMException && error.name === 'InvalidStateError') {
        this.db = null;
        try {
          return await op(await this.open());
        } catch (retryError) {
          report(what, retryError);
          return fallback;
        }
      }
      report(what, error);
      return fallback;
    }
  }

  getManifest(key: ManifestKey): Promise<ManifestRecord | undefined> {
    return this.run('reading a manifest', undefined, (db) => db.get('manifests', key));
  }

  getTag(key: TagKey): Promise<TagRecord | undefined> {
    return this.run('reading a tag', undefined, (db) => db.get('tags', key));
  }

  // The manifest and the tag pointing at it land together or not at all.
  put(manifest: ManifestRecord | null, tag: TagRecord | null): Promise<boolean> {
    return this.run('storing a manifest', false, async (db) => {
      const tx = db.transaction(['manifests', 'tags'], 'readwrite');
      const writes: Promise<unknown>[] = [];
      if (manifest) writes.push(tx.objectStore('manifests').put(manifest));
      if (tag) writes.push(tx.objectStore('tags').put(tag));
      await Promise.all([...writes, tx.done]);
      return true;
    });
  }

  // Upstream vouched for this content again: push both expiries forward.
  confirm(manifest: ManifestKey, tag: TagKey | null, confirmedAt: number, expiresAt: number): Promise<boolean> {
    return this.run('extending a record', false, async (db) => {
      const tx = db.transaction(['manifests', 'tags'], 'readwrite');
      const manifests = tx.objectStore('manifests');
      const tags = tx.objectStore('tags');
      const m = await manifests.get(manifest);
      // The manifest may have been swept meanwhile: never resurrect it.
      if (m) await manifests.put({ ...m, confirmedAt, expiresAt });
      const t = tag && m ? await tags.get(tag) : undefined;
      if (t) await tags.put({ ...t, confirmedAt, expiresAt });
      await tx.done;
      return m !== undefined;
    });
  }

  dropTag(upstream: string, repository: string, tag: string): Promise<boolean> {
    return this.run('dropping a tag', false, async (db) => {
      const tx = db.transaction('tags', 'readwrite');
      await Promise.all([tx.store.delete(allVariantsOf(upstream, repository, tag)), tx.done]);
      return true;
    });
  }

  // Drops a manifest and every tag record that points at it.
  dropManifest(key: ManifestKey): Promise<boolean> {
    return this.run('dropping a manifest', false, async (db) => {
      const tx = db.transaction(['manifests', 'tags'], 'readwrite');
      const tags = tx.objectStore('tags');
      const pointing = await tags.index('by-manifest').getAllKeys(key);
      await Promise.all([tx.objectStore('manifests').delete(key), ...pointing.map((k) => tags.delete(k)), tx.done]);
      return true;
    });
  }
}
