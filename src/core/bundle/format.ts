// The bundle format: what exportBundle() writes and importBundle() reads, version 1
// (docs/bundle-format.md). Reading checks shape, sizes and grammar only; digests are
// checked in verify.ts. Nothing here trusts the bundle: every field is copied by name into
// a fresh object, so keys such as `__proto__` in a hostile bundle are never looked at.
import { isCanonicalDigest } from '../oci/digest.js';
import { isValidName, isValidTag } from '../oci/grammar.js';

/** The value of a bundle's `format` field: `'regcache-bundle'`. */
export const BUNDLE_FORMAT = 'regcache-bundle';
/** The bundle version this regcache writes and reads: `1`. */
export const BUNDLE_VERSION = 1;

// What a bundle may hold at most. A manifest body over 4 MiB is never stored (as upstream's
// answers), and a header over 1 KiB is not kept; both match the worker's limits.
const BODY_LIMIT = 4 * 1024 * 1024;
const HEADER_LIMIT = 1024;
const ACCEPT_LIMIT = 32;
const MEDIA_TYPE_LIMIT = 255;

/** The four upstream headers a stored manifest repeats when it is served. */
export interface BundleHeaders {
  /** `Content-Type`, as upstream sent it; its media type must be the manifest's. */
  contentType: string;
  /** `Docker-Content-Digest`: the manifest's digest, or `null` when upstream sent none. */
  dockerContentDigest: string | null;
  /** `Etag`, or `null`. At most 1 KiB, as every header. */
  etag: string | null;
  /** `Docker-Distribution-Api-Version`, or `null`. */
  apiVersion: string | null;
}

/** One manifest in a bundle. Times are milliseconds since the epoch. */
export interface BundleManifest {
  /** The registry's origin, e.g. `https://registry.example`. */
  upstream: string;
  /** The repository's name, e.g. `library/alpine`. */
  repository: string;
  /** The digest the body hashes to, `sha256:…` or `sha512:…`. */
  digest: string;
  /** The manifest's media type. */
  mediaType: string;
  /** The body's bytes, base64 (RFC 4648, with padding). */
  body: string;
  /** The upstream headers a served answer repeats. */
  headers: BundleHeaders;
  /** When upstream's answer was fetched. */
  fetchedAt: number;
  /** When upstream last confirmed it. */
  confirmedAt: number;
  /** Upstream served it only with credentials (docs/credentials.md). */
  private: boolean;
}

/** One tag in a bundle: the digest a tag resolved to under one `Accept` set. */
export interface BundleTag {
  /** The registry's origin, e.g. `https://registry.example`. */
  upstream: string;
  /** The repository's name, e.g. `library/alpine`. */
  repository: string;
  /** The tag's name. */
  tag: string;
  /** The media types the request accepted, lower-case and sorted. */
  accept: string[];
  /** The digest of the manifest it pointed at. */
  digest: string;
  /** When upstream's answer was fetched, in milliseconds since the epoch. */
  fetchedAt: number;
  /** When upstream last confirmed the tag, in milliseconds since the epoch: a tag is re-checked unless the worker's `fresh` covers this. */
  confirmedAt: number;
  /** Resolved with credentials, or pointing at a private manifest (docs/credentials.md). */
  private: boolean;
}

/** A bundle of version 1, as JSON holds it. */
export interface Bundle {
  /** Always `'regcache-bundle'`. */
  format: typeof BUNDLE_FORMAT;
  /** The format's version, `1`. A reader refuses any other with `BUNDLE_VERSION`. */
  version: typeof BUNDLE_VERSION;
  /** When the bundle was written, in milliseconds since the epoch. */
  createdAt: number;
  /** The manifests, with their bytes. */
  manifests: BundleManifest[];
  /** The tags, each pointing at a manifest of the bundle. */
  tags: BundleTag[];
}

/** Why a whole bundle cannot be read: not JSON, not a bundle, or a version not understood. */
export class BundleError extends Error {
  /** Always `'BundleError'`. */
  override name = 'BundleError';
  /** `'BUNDLE_INVALID'` (not a bundle, or damaged), or `'BUNDLE_VERSION'` (a version this regcache does not read). */
  readonly code: 'BUNDLE_INVALID' | 'BUNDLE_VERSION';
  constructor(code: 'BUNDLE_INVALID' | 'BUNDLE_VERSION', message: string) {
    super(`regcache: ${message}`);
    this.code = code;
  }
}

/** Why one record of a bundle was refused. Nothing of a refused record is stored. */
export interface RejectedRecord {
  /** Which list of the bundle the record was in. */
  kind: 'manifest' | 'tag';
  /** Where the record is in the bundle: its index in `manifests` or `tags`. */
  index: number;
  /** The record's upstream, as far as it could be read (empty when absent or not a string). */
  upstream: string;
  /** The record's repository, as far as it could be read. */
  repository: string;
  /** The tag, or the manifest's digest. */
  reference: string;
  /**
   * `DIGEST_INVALID` (the body does not hash to its digest), `MANIFEST_INVALID` (not a
   * manifest regcache stores, or a field malformed), `NAME_INVALID` (repository or upstream),
   * `TAG_INVALID`, or `MANIFEST_UNKNOWN` (a tag whose manifest was refused or is not stored).
   */
  code: 'DIGEST_INVALID' | 'MANIFEST_INVALID' | 'NAME_INVALID' | 'TAG_INVALID' | 'MANIFEST_UNKNOWN';
  /** What was wrong, in words. */
  message: string;
}

/** A manifest of a bundle whose fields are well formed; its digest is not checked yet. */
export interface ReadManifest extends Omit<BundleManifest, 'body'> {
  body: Uint8Array<ArrayBuffer>;
  /** Its index in the bundle's `manifests`. */
  index: number;
}

/** A tag of a bundle whose fields are well formed. */
export interface ReadTag extends BundleTag {
  /** Its index in the bundle's `tags`. */
  index: number;
}

export interface ReadBundle {
  createdAt: number;
  manifests: ReadManifest[];
  tags: ReadTag[];
  rejected: RejectedRecord[];
}

// ---- base64, chunked so that a large body does not overflow the call stack ----

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// ---- reading ----

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
// Own data properties only: a key inherited from Object.prototype is not the bundle's.
const field = (o: Record<string, unknown>, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Whether this is an http(s) origin as `URL.origin` spells it: no path, query or credentials. */
export function isBareOrigin(value: string): boolean {
  if (value.length > 2048) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

// A time in milliseconds since the epoch: a whole number from 0 up to year 275760.
function time(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= 8.64e15 ? v : null;
}

function headerValue(v: unknown): string | null | undefined {
  if (v === null) return null;
  return typeof v === 'string' && v.length <= HEADER_LIMIT ? v : undefined;
}

type Problem = Pick<RejectedRecord, 'code' | 'message'>;
const problem = (code: Problem['code'], message: string): Problem => ({ code, message });

// The fields every record has: names, times and the private flag.
function common(
  o: Record<string, unknown>,
): Problem | Pick<BundleTag, 'upstream' | 'repository' | 'fetchedAt' | 'confirmedAt' | 'private'> {
  const upstream = field(o, 'upstream');
  const repository = field(o, 'repository');
  if (typeof upstream !== 'string' || !isBareOrigin(upstream)) return problem('NAME_INVALID', 'upstream is not an http(s) origin');
  if (typeof repository !== 'string' || !isValidName(repository))
    return problem('NAME_INVALID', 'repository is not a valid repository name');
  const fetchedAt = time(field(o, 'fetchedAt'));
  const confirmedAt = time(field(o, 'confirmedAt'));
  if (fetchedAt === null || confirmedAt === null)
    return problem('MANIFEST_INVALID', 'fetchedAt and confirmedAt must be times in milliseconds');
  const isPrivate = field(o, 'private');
  if (typeof isPrivate !== 'boolean') return problem('MANIFEST_INVALID', 'private must be true or false');
  return { upstream, repository, fetchedAt, confirmedAt, private: isPrivate };
}

function readManifest(o: Record<string, unknown>, index: number): Problem | ReadManifest {
  const base = common(o);
  if ('code' in base) return base;
  const digest = field(o, 'digest');
  if (typeof digest !== 'string' || !isCanonicalDigest(digest)) {
    return problem('DIGEST_INVALID', 'digest is not a sha256 or sha512 digest spelt canonically');
  }
  const mediaType = field(o, 'mediaType');
  if (typeof mediaType !== 'string' || mediaType.length > MEDIA_TYPE_LIMIT)
    return problem('MANIFEST_INVALID', 'mediaType is not a media type');
  const rawBody = field(o, 'body');
  if (typeof rawBody !== 'string' || rawBody.length > Math.ceil(BODY_LIMIT / 3) * 4) {
    return problem('MANIFEST_INVALID', 'body must be base64 of at most 4 MiB');
  }
  const body = fromBase64(rawBody);
  if (!body) return problem('MANIFEST_INVALID', 'body is not base64');
  const h = field(o, 'headers');
  if (!isObject(h)) return problem('MANIFEST_INVALID', 'headers is not an object');
  const headers = {
    contentType: headerValue(field(h, 'contentType')),
    dockerContentDigest: headerValue(field(h, 'dockerContentDigest')),
    etag: headerValue(field(h, 'etag')),
    apiVersion: headerValue(field(h, 'apiVersion')),
  };
  if (typeof headers.contentType !== 'string' || Object.values(headers).includes(undefined)) {
    return problem('MANIFEST_INVALID', 'headers must be strings of at most 1 KiB (or null)');
  }
  // A stored answer repeats its Docker-Content-Digest: it must name these bytes.
  if (headers.dockerContentDigest !== null && headers.dockerContentDigest !== digest) {
    return problem('DIGEST_INVALID', 'headers.dockerContentDigest names another digest');
  }
  return { ...base, digest, mediaType, body, headers: headers as BundleHeaders, index };
}

function readTag(o: Record<string, unknown>, index: number): Problem | ReadTag {
  const base = common(o);
  if ('code' in base) return base;
  const tag = field(o, 'tag');
  if (typeof tag !== 'string' || !isValidTag(tag)) return problem('TAG_INVALID', 'tag is not a valid tag');
  const digest = field(o, 'digest');
  if (typeof digest !== 'string' || !isCanonicalDigest(digest)) return problem('DIGEST_INVALID', 'digest is not a sha256 or sha512 digest');
  const accept = field(o, 'accept');
  if (
    !Array.isArray(accept) ||
    accept.length > ACCEPT_LIMIT ||
    !accept.every(
      (t): t is string => typeof t === 'string' && t.length <= MEDIA_TYPE_LIMIT && /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(t),
    )
  ) {
    return problem('MANIFEST_INVALID', `accept must be a list of at most ${ACCEPT_LIMIT} lower-case media types`);
  }
  return { ...base, tag, digest, accept: [...new Set(accept)].sort(), index };
}

/**
 * Reads a bundle (its JSON text, or the parsed value): the whole bundle is refused with a
 * {@link BundleError} when it is not JSON, not a bundle, or of another version; a record
 * that is malformed is listed in `rejected`, and the others are read.
 */
export function readBundle(input: string | unknown): ReadBundle {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      throw new BundleError('BUNDLE_INVALID', `the bundle is not valid JSON (truncated or damaged?): ${(error as Error).message}`);
    }
  }
  if (!isObject(value) || field(value, 'format') !== BUNDLE_FORMAT) {
    throw new BundleError('BUNDLE_INVALID', `not a regcache bundle (expected "format": "${BUNDLE_FORMAT}")`);
  }
  const version = field(value, 'version');
  if (version !== BUNDLE_VERSION) {
    throw new BundleError(
      'BUNDLE_VERSION',
      `bundle version ${JSON.stringify(version)} is not understood by this regcache, which reads version ${BUNDLE_VERSION}${
        typeof version === 'number' && version > BUNDLE_VERSION ? ': upgrade regcache to import it' : ''
      }`,
    );
  }
  const manifests = field(value, 'manifests');
  const tags = field(value, 'tags');
  if (!Array.isArray(manifests) || !Array.isArray(tags))
    throw new BundleError('BUNDLE_INVALID', 'a bundle needs "manifests" and "tags" lists');
  const out: ReadBundle = { createdAt: time(field(value, 'createdAt')) ?? 0, manifests: [], tags: [], rejected: [] };
  const reject = (kind: RejectedRecord['kind'], index: number, o: unknown, ref: string, p: Problem) => {
    const r = isObject(o) ? o : {};
    out.rejected.push({
      kind,
      index,
      upstream: str(field(r, 'upstream')),
      repository: str(field(r, 'repository')),
      reference: str(field(r, ref)),
      ...p,
    });
  };
  manifests.forEach((o, i) => {
    const read = isObject(o) ? readManifest(o, i) : problem('MANIFEST_INVALID', 'not an object');
    if ('code' in read) reject('manifest', i, o, 'digest', read);
    else out.manifests.push(read);
  });
  tags.forEach((o, i) => {
    const read = isObject(o) ? readTag(o, i) : problem('TAG_INVALID', 'not an object');
    if ('code' in read) reject('tag', i, o, 'tag', read);
    else out.tags.push(read);
  });
  return out;
}
