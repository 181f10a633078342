// Where distribution 2.8 answers by rules of its own rather than by the OCI and HTTP rules
// in src/core/. The embedded registry answers as distribution does (inspector-registry.spec.ts
// compares the two byte for byte), so every exception to the core's rules is named here,
// with the distribution behaviour it reproduces. How distribution words its answers
// (headers, error bodies) is distribution-answers.ts.
import { acceptMembers } from '../../src/core/http/accept.js';
import { DIGEST } from '../../src/core/oci/digest.js';
import { HOST_NAME, NAME, PORT, TAG } from '../../src/core/oci/grammar.js';
import { OCI_INDEX, OCI_MANIFEST } from '../../src/core/oci/media-types.js';
import { ERRORS, type RegistryError } from './distribution-answers.js';

// 1. Route names may start with a registry host. distribution routes by the full name of
// its reference grammar (a host name, capitals allowed, and a port); the distribution
// spec's <name> has no host. 2.8's grammar predates bracketed IPv6 hosts, so they are not routed.
const ROUTE_NAME = `(?:${HOST_NAME}(?:${PORT})?/)?${NAME}`;

// 2. A manifest route's reference is a tag or anything shaped like a digest: distribution
// parses digests only after routing, and looks up what go-digest does not parse as a tag.
export const MANIFEST_ROUTE = new RegExp(`^/v2/(${ROUTE_NAME})/manifests/(${TAG}|${DIGEST})$`);
export const BLOB_ROUTE = new RegExp(`^/v2/(${ROUTE_NAME})/blobs/(${DIGEST})$`);
export const TAGS_ROUTE = new RegExp(`^/v2/(${ROUTE_NAME})/tags/list$`);

// 3. Before anything is looked up, distribution's filesystem storage driver refuses a path
// with a component outside [A-Za-z0-9._-]: a name with a port, or a "tag" with a colon
// (see 2), gets a 500 UNKNOWN naming the path, where a 404 was due.
const REPOSITORIES = '/docker/registry/v2/repositories';
const DRIVER_PATH = /^(\/[A-Za-z0-9._-]+)+$/;
const link = (digest: string) => `${digest.replace(':', '/')}/link`;
export const storagePath = {
  tag: (name: string, tag: string) => `${REPOSITORIES}/${name}/_manifests/tags/${tag}/current/link`,
  revision: (name: string, digest: string) => `${REPOSITORIES}/${name}/_manifests/revisions/${link(digest)}`,
  layer: (name: string, digest: string) => `${REPOSITORIES}/${name}/_layers/${link(digest)}`,
  tags: (name: string) => `${REPOSITORIES}/${name}/_manifests/tags`,
};

export function storageRefusal(path: string): RegistryError | null {
  return DRIVER_PATH.test(path) ? null : ERRORS.unknown({ Path: path, DriverName: 'filesystem' });
}

// 4. If-None-Match on a manifest: each header line is compared whole with the digest,
// quoted or bare. No lists, no weak comparison, no *. (Blobs go through Go's
// http.ServeContent, which follows RFC 9110: src/core/http/etag.ts.)
function manifestNotModified(ifNoneMatch: readonly string[], digest: string): boolean {
  return ifNoneMatch.some((line) => line === digest || line === `"${digest}"`);
}

// 5. Accept: every header line, split at commas, each type cut at ";" and trimmed. Types are
// compared as written, case and all, and q is not read: a type sent with q=0 still counts.
function acceptedTypes(accept: readonly string[]): Set<string> {
  return new Set(accept.flatMap((line) => acceptMembers(line).map((member) => member.type)));
}

// 6. An OCI manifest or index asked for without its type in Accept is "unknown": a 404
// MANIFEST_UNKNOWN with a message of its own and no detail, where Docker types are served.
function ociTypeRefusal(mediaType: string, accepted: Set<string>): RegistryError | null {
  if (mediaType === OCI_MANIFEST && !accepted.has(OCI_MANIFEST)) {
    return { code: 'MANIFEST_UNKNOWN', message: 'OCI manifest found, but accept header does not support OCI manifests' };
  }
  if (mediaType === OCI_INDEX && !accepted.has(OCI_INDEX)) {
    return { code: 'MANIFEST_UNKNOWN', message: 'OCI index found, but accept header does not support OCI indexes' };
  }
  return null;
}

// 7. Not reproduced: for a request by tag that does not accept them, distribution 2.8
// rewrites a Docker schema 2 manifest into signed schema 1, and a Docker manifest list into
// its linux/amd64 manifest. This registry serves both as stored (distribution 3 no longer
// converts to schema 1; the sample layout has no Docker manifest list).

export type ManifestVerdict = { status: 304 } | { status: 404; error: RegistryError } | null;

// What is answered instead of a manifest that was found, or null to serve it. The order is
// distribution's: If-None-Match (4) is answered before Accept (5, 6) is looked at, so a
// 304 can come back for a type the request does not accept.
export function manifestPreconditions(
  request: { ifNoneMatch: readonly string[]; accept: readonly string[] },
  manifest: { digest: string; mediaType: string },
): ManifestVerdict {
  if (manifestNotModified(request.ifNoneMatch, manifest.digest)) return { status: 304 };
  const refusal = ociTypeRefusal(manifest.mediaType, acceptedTypes(request.accept));
  return refusal ? { status: 404, error: refusal } : null;
}

// 8. The catalog is paged as 2.8 pages it: `n` read as Go's Atoi reads it (100 when missing,
// malformed or negative), names after `last` in path order (a "/" sorts before any other
// character), and a Link to the next page when more names follow. `n=0` gives an empty
// page without a Link. The Link is the request's path with `last` and `n`, in that order. (2.8 does not
// page tags/list: it sends every tag, whatever `n` says.)
const CATALOG_DEFAULT_ENTRIES = 100;
const pathOrder = (name: string) => name.replaceAll('/', '\0');

export function catalogPage(names: Iterable<string>, query: URLSearchParams): { repositories: string[]; link: string | null } {
  const raw = query.get('n') ?? '';
  const parsed = /^[+-]?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  const n = Number.isSafeInteger(parsed) && parsed >= 0 ? parsed : CATALOG_DEFAULT_ENTRIES;
  const last = query.get('last') ?? '';
  const sorted = [...names].sort((a, b) => (pathOrder(a) < pathOrder(b) ? -1 : pathOrder(a) > pathOrder(b) ? 1 : 0));
  const after = sorted.filter((name) => last === '' || pathOrder(name) > pathOrder(last));
  const repositories = after.slice(0, n);
  const end = repositories.at(-1);
  const link =
    after.length > n && end !== undefined
      ? `</v2/_catalog?${new URLSearchParams([
          ['last', end],
          ['n', String(n)],
        ]).toString()}>; rel="next"`
      : null;
  return { repositories, link };
}
