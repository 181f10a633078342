// The manifest and config media types the inspector understands.

import { DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST } from '../../src/core/oci/media-types.js';

export { DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST };

// Every type the inspector can show, so a registry never falls back to schema 1 for it.
export const MANIFEST_ACCEPT = [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST].join(', ');

export function isIndexType(mediaType: string): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_LIST;
}

// "application/vnd.oci.image.manifest.v1+json" → "OCI image manifest", for people.
export function describeMediaType(mediaType: string): string {
  const known: Record<string, string> = {
    [OCI_INDEX]: 'OCI image index',
    [OCI_MANIFEST]: 'OCI image manifest',
    [DOCKER_LIST]: 'Docker manifest list',
    [DOCKER_MANIFEST]: 'Docker image manifest (schema 2)',
    'application/vnd.oci.image.config.v1+json': 'OCI image config',
    'application/vnd.docker.container.image.v1+json': 'Docker image config',
    'application/vnd.oci.image.layer.v1.tar+gzip': 'OCI layer, gzip',
    'application/vnd.oci.image.layer.v1.tar+zstd': 'OCI layer, zstd',
    'application/vnd.oci.image.layer.v1.tar': 'OCI layer, uncompressed',
    'application/vnd.docker.image.rootfs.diff.tar.gzip': 'Docker layer, gzip',
    'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip': 'Docker foreign layer, gzip',
  };
  return known[mediaType] ?? mediaType;
}
