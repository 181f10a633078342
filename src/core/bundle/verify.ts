// Verifies what a bundle holds before anything of it is stored: each body must hash to its
// digest (the one digest check, digest.ts) and be a manifest regcache stores. A refused
// manifest takes the tags that point at it along.
import { mediaTypeOf } from '../http/accept.js';
import { matchesDigest } from '../oci/digest.js';
import { unstorableReason } from '../oci/media-types.js';
import type { ReadBundle, RejectedRecord } from './format.js';

const manifestId = (r: { upstream: string; repository: string; digest: string }) => JSON.stringify([r.upstream, r.repository, r.digest]);

/** A tag refused because its manifest is not there to store: `why` says what became of it. */
export function tagRefused(t: ReadBundle['tags'][number], why: string): RejectedRecord {
  return {
    kind: 'tag',
    index: t.index,
    upstream: t.upstream,
    repository: t.repository,
    reference: t.tag,
    code: 'MANIFEST_UNKNOWN',
    message: `its manifest ${t.digest} ${why}`,
  };
}

/** The bundle with every manifest verified; what failed is added to `rejected`. */
export async function verifyBundle(read: ReadBundle): Promise<ReadBundle> {
  const rejected: RejectedRecord[] = [...read.rejected];
  const refused = new Set(read.rejected.filter((r) => r.kind === 'manifest').map((r) => manifestId({ ...r, digest: r.reference })));
  const checks = await Promise.all(
    read.manifests.map(async (m) => {
      if (!(await matchesDigest(m.digest, m.body)))
        return { code: 'DIGEST_INVALID' as const, message: `the body does not hash to ${m.digest}` };
      const reason = unstorableReason(m.mediaType, m.body);
      if (reason) return { code: 'MANIFEST_INVALID' as const, message: reason };
      if (mediaTypeOf(m.headers.contentType) !== m.mediaType) {
        return { code: 'MANIFEST_INVALID' as const, message: 'headers.contentType does not name the media type' };
      }
      return null;
    }),
  );
  const manifests = read.manifests.filter((m, i) => {
    const failed = checks[i];
    if (!failed) return true;
    refused.add(manifestId(m));
    rejected.push({ kind: 'manifest', index: m.index, upstream: m.upstream, repository: m.repository, reference: m.digest, ...failed });
    return false;
  });
  const tags = read.tags.filter((t) => {
    if (!refused.has(manifestId(t))) return true;
    rejected.push(tagRefused(t, 'was refused'));
    return false;
  });
  return { createdAt: read.createdAt, manifests, tags, rejected };
}
