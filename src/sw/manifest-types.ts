// Which upstream answers are manifests regcache may keep.

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

export const MANIFEST_TYPES: ReadonlySet<string> = new Set([OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST]);

// Signed schema 1 is digested without its signatures, so its body never hashes to its
// digest; it is passed through untouched.
const SCHEMA1 = new Set([
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
  'application/vnd.docker.distribution.manifest.v1+json',
]);

export function isSchema1(mediaType: string): boolean {
  return SCHEMA1.has(mediaType);
}

// Why a verified body still is not a manifest worth keeping, or null when it is.
export function unstorableReason(mediaType: string, body: Uint8Array<ArrayBuffer>): string | null {
  if (!MANIFEST_TYPES.has(mediaType)) return `media type ${JSON.stringify(mediaType)} is not a manifest type regcache stores`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    return 'body is not valid JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'body is not a JSON object';
  const declared = (parsed as { mediaType?: unknown }).mediaType;
  if (declared !== undefined && declared !== mediaType) {
    return `body declares media type ${JSON.stringify(declared)} but was sent as ${JSON.stringify(mediaType)}`;
  }
  return null;
}
