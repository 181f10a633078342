// Merging two bundles into one, as the Playwright fixture does when several test workers
// write to one file: every record of either is kept, and where both hold a record, the one
// upstream confirmed last wins.
import { BUNDLE_FORMAT, BUNDLE_VERSION, type Bundle, type BundleManifest, type BundleTag } from './format.js';

const manifestId = (m: BundleManifest) => JSON.stringify([m.upstream, m.repository, m.digest]);
const tagId = (t: BundleTag) => JSON.stringify([t.upstream, t.repository, t.tag, t.accept]);

function union<T extends { confirmedAt: number }>(a: readonly T[], b: readonly T[], id: (r: T) => string): T[] {
  const byId = new Map<string, T>();
  for (const record of [...a, ...b]) {
    const key = id(record);
    const held = byId.get(key);
    if (!held || record.confirmedAt > held.confirmedAt) byId.set(key, record);
  }
  // Sorted, so that the same records always make the same file (a CI cache key can hash it).
  return [...byId.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, r]) => r);
}

/** Every record of both bundles; `createdAt` is the later of the two. */
export function mergeBundles(a: Bundle, b: Bundle): Bundle {
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    createdAt: Math.max(a.createdAt, b.createdAt),
    manifests: union(a.manifests, b.manifests, manifestId),
    tags: union(a.tags, b.tags, tagId),
  };
}
