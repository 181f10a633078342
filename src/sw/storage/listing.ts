// What the page client lists (regcache/client's entries): no bodies, and null for "never expires".
import type { Entry } from '../../core/protocol.js';
import type { Db } from './database.js';
import type { ManifestRecord, TagRecord } from './schema.js';

function entry(r: ManifestRecord | TagRecord, more: Pick<Entry, 'kind' | 'reference'> & Partial<Entry>): Entry {
  const { upstream, repository, digest, fetchedAt, confirmedAt, expiresAt, lastUsed } = r;
  const expires = Number.isFinite(expiresAt) ? expiresAt : null;
  return { upstream, repository, digest, fetchedAt, confirmedAt, expiresAt: expires, lastUsed, ...more };
}

/** Every stored manifest, then every tag, as protocol entries. */
export async function listEntries(db: Db): Promise<Entry[]> {
  const tx = db.transaction(['manifests', 'tags']);
  const out: Entry[] = [];
  // One manifest at a time: their bodies need not all be in memory at once.
  let cursor = await tx.objectStore('manifests').openCursor();
  while (cursor) {
    const { digest, mediaType, size } = cursor.value;
    out.push(entry(cursor.value, { kind: 'manifest', reference: digest, mediaType, size }));
    cursor = await cursor.continue();
  }
  for (const tag of await tx.objectStore('tags').getAll()) out.push(entry(tag, { kind: 'tag', reference: tag.tag, accept: tag.accept }));
  return out;
}
