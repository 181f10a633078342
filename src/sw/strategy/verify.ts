// Verification of a fetched body against the digests it claims: a body is kept only under a
// digest it really hashes to (contract §3).
import { computeDigest, matchesDigest } from '../../core/oci/digest.js';

/** The digest to key the body by, or why the body is not what it claims. */
export type Verified = { ok: true; digest: string } | { ok: false; message: string; detail: Record<string, string> };

/**
 * Checks `body`, fetched by `reference` (a tag or a digest), against upstream's canonical
 * `Docker-Content-Digest` (null when absent or not canonical) and, by digest, against the
 * digest requested. Answers the digest to store it under: the requested one, else the
 * header's, else the body's own sha256.
 */
export async function verify(body: Uint8Array<ArrayBuffer>, reference: string, headerDigest: string | null): Promise<Verified> {
  if (headerDigest && !(await matchesDigest(headerDigest, body))) {
    return {
      ok: false,
      message: 'manifest body does not match its Docker-Content-Digest',
      detail: { dockerContentDigest: headerDigest, computed: await computeDigest('sha256', body) },
    };
  }
  const byDigest = reference.includes(':');
  // A header digest equal to the reference has just been checked.
  if (byDigest && headerDigest !== reference && !(await matchesDigest(reference, body))) {
    return { ok: false, message: 'manifest body does not match the digest it was requested by', detail: { requested: reference } };
  }
  return { ok: true, digest: byDigest ? reference : (headerDigest ?? (await computeDigest('sha256', body))) };
}
