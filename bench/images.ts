// The manifests every scenario serves: real image manifests from about 500 B to 50 KB and
// an index over them, pushed with their config and layer blobs so the registry accepts
// them as it would a build's output.
import { gzipSync } from 'node:zlib';
import { makeTar, OCI_CONFIG, OCI_INDEX, OCI_LAYER, OCI_MANIFEST, pushBlob, putManifest, sha256 } from '../test/servers/images.js';

export interface BenchManifest {
  repo: string;
  tag: string;
  digest: string;
  mediaType: string;
  body: Buffer;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

// Sizes of the image manifests; the index over them comes on top.
export const MANIFEST_SIZES = [500, 2_000, 8_000, 20_000, 50_000];

// A 50 KB manifest needs a few hundred layer descriptors; distribution checks that each
// blob exists, so they are pushed for real.
const LAYER_COUNT = 360;

// A blob pushed, as its manifest refers to it.
async function pushSized(registry: string, repo: string, data: Buffer): Promise<{ digest: string; size: number }> {
  return { digest: await pushBlob(registry, repo, data), size: data.length };
}

export interface Blobs {
  config: Descriptor;
  layers: Descriptor[];
}

export async function pushBlobs(registry: string, repo: string): Promise<Blobs> {
  const configBytes = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-01-02T03:04:05Z',
      config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin'], Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: [] },
    }),
  );
  const config = { ...(await pushSized(registry, repo, configBytes)), mediaType: OCI_CONFIG };
  const layers: Descriptor[] = [];
  // In parallel batches: a few hundred small uploads, one round trip each.
  for (let start = 0; start < LAYER_COUNT; start += 24) {
    const batch = [];
    for (let i = start; i < Math.min(LAYER_COUNT, start + 24); i++) {
      const tar = makeTar([{ path: `layer-${i}.txt`, content: `bench layer ${i}\n` }]);
      batch.push(pushSized(registry, repo, gzipSync(tar)).then((d) => ({ ...d, mediaType: OCI_LAYER })));
    }
    layers.push(...(await Promise.all(batch)));
  }
  return { config, layers };
}

// An image manifest of exactly `size` bytes: as many layers as fit, then an annotation
// pads it. `label` makes manifests of the same size differ. Compact JSON, as BuildKit
// writes it, so that a one-layer image fits in 500 bytes.
export function imageManifest(blobs: Blobs, size: number, label: string): Buffer {
  const make = (layers: number, pad: string) =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: blobs.config,
        layers: blobs.layers.slice(0, layers),
        annotations: { 'org.opencontainers.image.ref.name': label, 'bench.regcache.pad': pad },
      }),
    );
  let layers = 1;
  while (layers < blobs.layers.length && make(layers + 1, '').length <= size) layers++;
  const base = make(layers, '').length;
  if (base > size) throw new Error(`a manifest of ${size} bytes is too small for its own envelope (${base})`);
  const body = make(layers, 'x'.repeat(size - base));
  if (body.length !== size) throw new Error(`manifest of ${body.length} bytes, wanted ${size}`);
  return body;
}

// A one-layer image manifest of exactly `size` bytes, padded with hex that does not
// compress (like the digests that fill real manifests). Cheap to push in numbers: the
// registry checks one layer, not hundreds.
export function paddedManifest(blobs: Blobs, size: number, label: string): Buffer {
  const make = (pad: string) =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: blobs.config,
        layers: blobs.layers.slice(0, 1),
        annotations: { 'org.opencontainers.image.ref.name': label, 'bench.regcache.pad': pad },
      }),
    );
  const room = size - make('').length;
  if (room < 0) throw new Error(`a manifest of ${size} bytes is too small for its own envelope`);
  let pad = '';
  for (let i = 0; pad.length < room; i++) pad += sha256(`${label}:${i}`).slice(7);
  const body = make(pad.slice(0, room));
  if (body.length !== size) throw new Error(`manifest of ${body.length} bytes, wanted ${size}`);
  return body;
}

export async function pushManifest(registry: string, repo: string, tag: string, mediaType: string, body: Buffer): Promise<BenchManifest> {
  const digest = await putManifest(registry, repo, tag, mediaType, body);
  return { repo, tag, digest, mediaType, body };
}

// The latency set: one image manifest per size, each tagged, and an OCI index over them.
export async function pushLatencySet(registry: string, repo: string, blobs: Blobs): Promise<BenchManifest[]> {
  const images: BenchManifest[] = [];
  for (const size of MANIFEST_SIZES) {
    const tag = `s${size}`;
    images.push(await pushManifest(registry, repo, tag, OCI_MANIFEST, imageManifest(blobs, size, tag)));
  }
  const index = Buffer.from(
    JSON.stringify(
      {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: images.map((m, i) => ({
          mediaType: m.mediaType,
          digest: m.digest,
          size: m.body.length,
          platform: { architecture: ['amd64', 'arm64', 'ppc64le', 's390x', 'riscv64'][i] ?? 'amd64', os: 'linux' },
        })),
      },
      null,
      3,
    ),
  );
  return [...images, await pushManifest(registry, repo, 'index', OCI_INDEX, index)];
}
