// The keys of stored records, as IndexedDB and the in-memory copy write them.
import type { ManifestKey, TagKey } from './schema.js';

/** A manifest record's key: upstream, repository and digest. */
export function manifestKey(r: { upstream: string; repository: string; digest: string }): ManifestKey {
  return [r.upstream, r.repository, r.digest];
}

/** A tag record's key: one Accept variant of a tag (`accept` as acceptKey writes it). */
export function tagKey(r: { upstream: string; repository: string; tag: string; accept: string }): TagKey {
  return [r.upstream, r.repository, r.tag, r.accept];
}

/** Every Accept variant of one tag sorts inside this range. */
export function allVariantsOf(upstream: string, repository: string, tag: string): IDBKeyRange {
  return IDBKeyRange.bound([upstream, repository, tag, ''], [upstream, repository, tag, '\uffff']);
}
