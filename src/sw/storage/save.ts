// Storing with the quota in mind: a write the browser's quota refuses evicts and is retried
// once. Storage trouble never fails a request; the caller answers from upstream instead.

import { StorageFullError } from './records.js';
import type { ManifestRecord, TagRecord } from './schema.js';
import type { ManifestStore } from './store.js';

/** What a save needs of the budget's keeper (housekeeping's Maintenance is one). */
export interface SaveMaintenance {
  /** Frees at least `bytes`, and gets under the budget. */
  evict(bytes: number): Promise<void>;
  /** After a manifest or a tag is stored: notes its expiry, and evicts if over the budget. */
  afterStore(record: { expiresAt: number }): Promise<void>;
}

/**
 * Stores a manifest and/or a tag (as `store.put`), evicting and retrying once when the
 * quota is full, and schedules what was stored for expiry. Answers whether it was stored.
 * `overStored`: as in `store.put`.
 */
export async function save(
  store: Pick<ManifestStore, 'put'>,
  maintenance: SaveMaintenance,
  manifest: ManifestRecord | null,
  tag: TagRecord | null,
  overStored?: boolean,
): Promise<boolean> {
  let stored = false;
  try {
    stored = await store.put(manifest, tag, overStored);
  } catch (error) {
    if (!(error instanceof StorageFullError)) throw error;
    await maintenance.evict(manifest?.size ?? 0);
    try {
      stored = await store.put(manifest, tag, overStored);
    } catch {
      stored = false;
    }
  }
  // A tag alone (a moved tag) costs bytes too, so it is checked against the budget as well.
  const record = manifest ?? tag;
  if (stored && record) await maintenance.afterStore(record);
  return stored;
}
