// Reads an OCI image layout (oci-layout, index.json, blobs/<alg>/<hex>) into what a
// registry needs: for each repository, its tags and every manifest and blob it can reach.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { digestAlgorithm, digestProblem } from '../../src/core/oci/digest.js';
import { splitTag } from '../../src/core/oci/grammar.js';
import { MANIFEST_TYPES } from '../../src/core/oci/media-types.js';
import type { Descriptor, ImageIndex, ImageManifest } from '../../src/core/oci/types.js';

export const REF_NAME = 'org.opencontainers.image.ref.name';

export interface StoredManifest {
  digest: string;
  mediaType: string;
  body: Buffer;
}

export interface Repository {
  name: string;
  // Tags in the order index.json names them.
  tags: Map<string, string>;
  manifests: Set<string>;
  blobs: Set<string>;
}

export interface OciLayout {
  dir: string;
  repositories: Map<string, Repository>;
  manifest(digest: string): StoredManifest | undefined;
  readBlob(digest: string): Promise<Buffer>;
}

export class LayoutError extends Error {
  override name = 'LayoutError';
}

// blobs/<algorithm>/<encoded>, for digests go-digest parses only.
function blobPath(dir: string, digest: string): string {
  if (digestProblem(digest)) throw new LayoutError(`${digest} is not a digest`);
  const colon = digest.indexOf(':');
  return join(dir, 'blobs', digest.slice(0, colon), digest.slice(colon + 1));
}

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new LayoutError(`${what} at ${path} is not readable JSON: ${(error as Error).message}`);
  }
}

export function loadOciLayout(dir: string): OciLayout {
  if (!existsSync(join(dir, 'oci-layout'))) {
    throw new LayoutError(`${dir} is not an OCI image layout (no oci-layout file); run \`npm run samples\` to write the samples`);
  }
  const index = readJson(join(dir, 'index.json'), 'the layout index') as Partial<ImageIndex>;
  const manifests = new Map<string, StoredManifest>();
  const repositories = new Map<string, Repository>();

  // Manifests are small and few, so they are read and verified once, up front.
  const loadManifest = (descriptor: Descriptor): StoredManifest => {
    const known = manifests.get(descriptor.digest);
    if (known) return known;
    const body = readFileSync(blobPath(dir, descriptor.digest));
    const algorithm = digestAlgorithm(descriptor.digest);
    const actual = algorithm && `${algorithm}:${createHash(algorithm).update(body).digest('hex')}`;
    if (actual !== descriptor.digest) throw new LayoutError(`blob ${descriptor.digest} in ${dir} hashes to ${actual}`);
    const stored = { digest: descriptor.digest, mediaType: descriptor.mediaType, body };
    manifests.set(descriptor.digest, stored);
    return stored;
  };

  const reach = (repo: Repository, descriptor: Descriptor) => {
    if (repo.manifests.has(descriptor.digest)) return;
    repo.manifests.add(descriptor.digest);
    const parsed = JSON.parse(loadManifest(descriptor).body.toString('utf8')) as Partial<ImageIndex & ImageManifest>;
    for (const child of parsed.manifests ?? []) {
      if (MANIFEST_TYPES.has(child.mediaType)) reach(repo, child);
    }
    for (const blob of [parsed.config, ...(parsed.layers ?? [])]) if (blob) repo.blobs.add(blob.digest);
  };

  for (const descriptor of index.manifests ?? []) {
    // "library/hello:latest"; entries without a tag in theirs are not served under any repository.
    const [name, tag] = splitTag(descriptor.annotations?.[REF_NAME] ?? '');
    if (tag === undefined) continue;
    const repo = repositories.get(name) ?? { name, tags: new Map(), manifests: new Set(), blobs: new Set() };
    repositories.set(name, repo);
    repo.tags.set(tag, descriptor.digest);
    reach(repo, descriptor);
  }

  return {
    dir,
    repositories,
    manifest: (digest) => manifests.get(digest),
    readBlob: (digest) => readFile(blobPath(dir, digest)),
  };
}
