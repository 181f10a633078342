// The media types of OCI and Docker images, and which upstream answers are manifests
// regcache may keep.

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

// What a manifest's config and layers point at.
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const OCI_LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
export const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
export const DOCKER_FOREIGN_LAYER_GZIP = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';

// Every manifest type clients list in Accept, in a fixed order: stored tag keys name them
// by position (acceptKey), so the order must never change without a schema version.
// The first four are the types regcache stores. The last two are signed schema 1, which is
// digested without its signatures, so its body never hashes to its digest: it is passed
// through untouched.
export const KNOWN_TYPES: readonly string[] = [
  OCI_INDEX,
  OCI_MANIFEST,
  DOCKER_LIST,
  DOCKER_MANIFEST,
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
  'application/vnd.docker.distribution.manifest.v1+json',
];

export const MANIFEST_TYPES: ReadonlySet<string> = new Set(KNOWN_TYPES.slice(0, 4));

// An index (OCI) or manifest list (Docker): a manifest of manifests, one per platform.
export function isIndexType(mediaType: string): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_LIST;
}

export function isSchema1(mediaType: string): boolean {
  return KNOWN_TYPES.indexOf(mediaType) > 3;
}

/** Why a verified body still is not a manifest worth keeping, as data. */
export type StorageProblem =
  | { kind: 'media-type' }
  | { kind: 'not-json' }
  | { kind: 'not-object' }
  // The body's own mediaType field names another type than the answer's.
  | { kind: 'declared'; declared: unknown };

// The worker only asks whether there is a problem; the bundle check words it
// (unstorableReason), so the worker carries no message.
export function storageProblem(mediaType: string, body: Uint8Array<ArrayBuffer>): StorageProblem | null {
  if (!MANIFEST_TYPES.has(mediaType)) return { kind: 'media-type' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    return { kind: 'not-json' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { kind: 'not-object' };
  const declared = (parsed as { mediaType?: unknown }).mediaType;
  return declared !== undefined && declared !== mediaType ? { kind: 'declared', declared } : null;
}

// Why a verified body still is not a manifest worth keeping, in words, or null when it is.
export function unstorableReason(mediaType: string, body: Uint8Array<ArrayBuffer>): string | null {
  const problem = storageProblem(mediaType, body);
  switch (problem?.kind) {
    case undefined:
      return null;
    case 'media-type':
      return `media type ${JSON.stringify(mediaType)} is not a manifest type regcache stores`;
    case 'not-json':
      return 'body is not valid JSON';
    case 'not-object':
      return 'body is not a JSON object';
    case 'declared':
      return `body declares media type ${JSON.stringify(problem.declared)} but was sent as ${JSON.stringify(mediaType)}`;
  }
}
