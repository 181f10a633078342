// What of a verified upstream answer is kept, and the records it is kept as.
import type { ManifestTarget } from '../../core/oci/grammar.js';
import { storageProblem } from '../../core/oci/media-types.js';
import { expiryFor } from '../housekeeping/expiry.js';
import type { ManifestRecord, StoredHeaders, TagRecord } from '../storage/schema.js';
import { MANIFEST_LIMIT } from '../upstream/upstream.js';
import type { Ask } from './ask.js';

// The headers a record keeps are repeated on every hit, so a hostile upstream could hide
// megabytes in an Etag. Real ones are a digest long.
const KEPT_HEADER_LIMIT = 1024;

/**
 * The headers to keep of a verified 2xx answer, or null when it is not to be stored: the
 * page asked for no-store, upstream said no-store, a redirect served it, its body is over
 * 4 MiB or no manifest regcache stores, or a kept header is oversized.
 */
export function keptHeaders(response: Response, body: Uint8Array<ArrayBuffer>, mediaType: string, noStore: boolean): StoredHeaders | null {
  const headers: StoredHeaders = {
    contentType: response.headers.get('content-type') ?? '',
    dockerContentDigest: response.headers.get('docker-content-digest'),
    etag: response.headers.get('etag'),
    apiVersion: response.headers.get('docker-distribution-api-version'),
  };
  const responseNoStore = (response.headers.get('cache-control') ?? '').toLowerCase().includes('no-store');
  const headersFit = Object.values(headers).every((value) => (value?.length ?? 0) <= KEPT_HEADER_LIMIT);
  // A redirect may lead anywhere: what it served is passed on, never kept for this URL.
  const keep = !noStore && !responseNoStore && !response.redirected && body.byteLength <= MANIFEST_LIMIT && headersFit;
  return keep && !storageProblem(mediaType, body) ? headers : null;
}

/** A record of a body verified as `digest`, fetched at `now` (ms), kept for `ttl` seconds (0: until evicted). */
export function manifestRecord(
  target: ManifestTarget,
  digest: string,
  mediaType: string,
  body: Uint8Array<ArrayBuffer>,
  headers: StoredHeaders,
  now: number,
  ttl: number,
  isPrivate: boolean,
): ManifestRecord {
  return {
    upstream: target.upstream,
    repository: target.repository,
    digest,
    mediaType,
    // A copy with its own buffer, so the stored bytes are exactly the body's.
    body: body.slice().buffer as ArrayBuffer,
    headers,
    size: body.byteLength,
    fetchedAt: now,
    confirmedAt: now,
    expiresAt: expiryFor(now, ttl),
    lastUsed: now,
    private: isPrivate,
  };
}

/**
 * The record of the tag a request asked for (`wanted.reference`), under its Accept set,
 * pointing at `manifest`. Private when the manifest is, or when the request could carry
 * credentials.
 */
export function tagRecord(ask: Pick<Ask, 'wanted' | 'acceptKey' | 'credentialed'>, manifest: ManifestRecord, now: number): TagRecord {
  const { upstream, repository, reference } = ask.wanted;
  return {
    upstream,
    repository,
    tag: reference,
    accept: ask.acceptKey,
    digest: manifest.digest,
    fetchedAt: manifest.fetchedAt,
    confirmedAt: manifest.confirmedAt,
    expiresAt: manifest.expiresAt,
    lastUsed: now,
    private: manifest.private || ask.credentialed,
  };
}
