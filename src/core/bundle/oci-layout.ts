// An OCI image layout (oci-layout, index.json, blobs/<alg>/<hex>), as `skopeo copy … oci:DIR`
// or `oras copy --to-oci-layout` write it, turned into a bundle of its manifests and indexes
// under an upstream and repository the caller names. Tags come from the
// `org.opencontainers.image.ref.name` annotations of index.json. Nothing is trusted here:
// the bundle goes through importBundle(), which verifies every digest.

import { isCanonicalDigest } from '../oci/digest.js';
import { isValidDomain, isValidName, splitTag } from '../oci/grammar.js';
import { MANIFEST_TYPES } from '../oci/media-types.js';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type Bundle, type BundleManifest, type BundleTag, toBase64 } from './format.js';

/** Reads a file of the layout by its path (`index.json`, `blobs/sha256/…`); null when absent. */
export type LayoutReader = (path: string) => Promise<Uint8Array<ArrayBuffer> | null>;

/** Where the layout's manifests go, and the `Accept` set its tags are stored under. */
export interface LayoutTarget {
  /** The registry origin to file the manifests under, e.g. `https://registry.example`. */
  upstream: string;
  /** The repository to file them under, e.g. `team/app`. */
  repository: string;
  /** The media types a request for a tag accepts (a tag answers only requests with this set). Defaults to the four manifest types. */
  accept?: string[];
}

/** Thrown when the files are not an OCI image layout regcache reads. */
export class LayoutError extends Error {
  /** Always `'LayoutError'`. */
  override name = 'LayoutError';
}

const REF_NAME = 'org.opencontainers.image.ref.name';
// An index may point at indexes; a hostile layout may point in circles or very deep.
const MAX_MANIFESTS = 10_000;

interface Descriptor {
  mediaType: string;
  digest: string;
  annotations?: Record<string, unknown>;
}

function descriptors(json: unknown): Descriptor[] {
  const list = (json as { manifests?: unknown })?.manifests;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (d): d is Descriptor => typeof d === 'object' && d !== null && typeof d.mediaType === 'string' && typeof d.digest === 'string',
  );
}

function parse(bytes: Uint8Array<ArrayBuffer>, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new LayoutError(`${what} is not JSON`);
  }
}

// skopeo writes the tag alone; other tools write "name:tag" or "host[:port]/name:tag". A
// ref.name that is neither (say "a:b:c") names no tag, rather than whatever follows its last colon.
function tagOf(ref: string): string | undefined {
  if (!ref.includes(':') && !ref.includes('/')) return ref;
  const [name, tag] = splitTag(ref);
  const slash = name.indexOf('/');
  const named = isValidName(name) || (slash > 0 && isValidDomain(name.slice(0, slash)) && isValidName(name.slice(slash + 1)));
  return named ? tag : undefined;
}

/** The layout's manifests and indexes (every one reachable from index.json), and its tags, as a bundle. */
export async function layoutToBundle(read: LayoutReader, target: LayoutTarget, now = Date.now()): Promise<Bundle> {
  const marker = await read('oci-layout');
  if (!marker) throw new LayoutError('not an OCI image layout: there is no oci-layout file');
  const version = (parse(marker, 'oci-layout') as { imageLayoutVersion?: unknown })?.imageLayoutVersion;
  if (version !== '1.0.0') throw new LayoutError(`OCI image layout version ${JSON.stringify(version)} is not 1.0.0`);
  const indexBytes = await read('index.json');
  if (!indexBytes) throw new LayoutError('the layout has no index.json');
  const top = descriptors(parse(indexBytes, 'index.json'));
  const accept = [...new Set(target.accept ?? [...MANIFEST_TYPES])].sort();
  const manifests = new Map<string, BundleManifest>();
  const tags: BundleTag[] = [];
  const base = { upstream: target.upstream, repository: target.repository, fetchedAt: now, confirmedAt: now, private: false };

  const queue = [...top];
  for (let d = queue.shift(); d && manifests.size < MAX_MANIFESTS; d = queue.shift()) {
    // Blobs that are no manifests (configs, layers, artifacts) are not regcache's to store.
    if (!MANIFEST_TYPES.has(d.mediaType) || !isCanonicalDigest(d.digest) || manifests.has(d.digest)) continue;
    const [algorithm, hex] = d.digest.split(':');
    const body = await read(`blobs/${algorithm}/${hex}`);
    if (!body) continue;
    manifests.set(d.digest, {
      ...base,
      digest: d.digest,
      mediaType: d.mediaType,
      body: toBase64(body),
      headers: { contentType: d.mediaType, dockerContentDigest: d.digest, etag: null, apiVersion: null },
    });
    const json = (() => {
      try {
        return parse(body, d.digest);
      } catch {
        return null;
      }
    })();
    queue.push(...descriptors(json));
  }
  for (const d of top) {
    const ref = d.annotations?.[REF_NAME];
    if (typeof ref !== 'string' || !manifests.has(d.digest)) continue;
    const tag = tagOf(ref);
    if (tag) tags.push({ ...base, tag, accept, digest: d.digest });
  }
  return { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, createdAt: now, manifests: [...manifests.values()], tags };
}
