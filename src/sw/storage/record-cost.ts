// What one record counts against maxBytes: an upper bound of the space IndexedDB takes for
// it, measured with navigator.storage.estimate() in Chromium and Firefox (docs/api.md, "What
// maxBytes counts"). A key's characters count 16 bytes each: 2 for UTF-16, as Chromium
// writes keys, times the record and each index entry that repeats its key, with room for
// half-full pages. Kept headers count 2 bytes a character; the body its length and 1/64
// more, for the pages and files a large value goes to; and every record 512 bytes, for
// field names, numbers and the engines' own bookkeeping.
import { tagKey } from './keys.js';
import type { ManifestRecord, TagRecord } from './schema.js';

export type CostedManifest = Pick<ManifestRecord, 'upstream' | 'repository' | 'digest' | 'mediaType' | 'headers' | 'size'>;

export function manifestCost(m: CostedManifest): number {
  const headers = m.mediaType + Object.values(m.headers).join('');
  return 512 + m.size + (m.size >> 6) + 2 * headers.length + 16 * (m.upstream + m.repository + m.digest).length;
}

// A tag: its key, and the digest it points at, which is its by-manifest index's key.
export function tagCost(key: readonly string[], digest: string): number {
  return 512 + 16 * (key.join('') + digest).length;
}

/** A stored tag record's cost, as tagCost counts it. */
export function tagRecordCost(t: Pick<TagRecord, 'upstream' | 'repository' | 'tag' | 'accept' | 'digest'>): number {
  return tagCost(tagKey(t), t.digest);
}
