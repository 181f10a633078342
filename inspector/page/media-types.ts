// What the inspector asks registries for, and media types as people read them. The types
// themselves are src/core/oci/media-types.ts.
import {
  DOCKER_CONFIG,
  DOCKER_FOREIGN_LAYER_GZIP,
  DOCKER_LAYER_GZIP,
  DOCKER_LIST,
  DOCKER_MANIFEST,
  MANIFEST_TYPES,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_LAYER,
  OCI_LAYER_GZIP,
  OCI_LAYER_ZSTD,
  OCI_MANIFEST,
} from '../../src/core/oci/media-types.js';

// Every manifest type regcache stores, which is every type the inspector can show, so a
// registry never falls back to schema 1 for it.
export const MANIFEST_ACCEPT = [...MANIFEST_TYPES].join(', ');

const LABELS = new Map([
  [OCI_INDEX, 'OCI image index'],
  [OCI_MANIFEST, 'OCI image manifest'],
  [DOCKER_LIST, 'Docker manifest list'],
  [DOCKER_MANIFEST, 'Docker image manifest (schema 2)'],
  [OCI_CONFIG, 'OCI image config'],
  [DOCKER_CONFIG, 'Docker image config'],
  [OCI_LAYER_GZIP, 'OCI layer, gzip'],
  [OCI_LAYER_ZSTD, 'OCI layer, zstd'],
  [OCI_LAYER, 'OCI layer, uncompressed'],
  [DOCKER_LAYER_GZIP, 'Docker layer, gzip'],
  [DOCKER_FOREIGN_LAYER_GZIP, 'Docker foreign layer, gzip'],
]);

// "application/vnd.oci.image.manifest.v1+json" → "OCI image manifest"; unknown types as they are.
export function describeMediaType(mediaType: string): string {
  return LABELS.get(mediaType) ?? mediaType;
}
