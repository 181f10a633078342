#!/usr/bin/env node
// Writes the embedded registry's sample images as an OCI image layout in samples/oci-layout:
// library/hello:latest, an OCI index for linux/amd64 and linux/arm64/v8; library/hello:oci,
// an OCI image manifest; library/hello:docker, a Docker schema 2 manifest. Every config has
// a history with empty layers in it, so the inspector has something to line up.
// Plain Node, no dependencies, and deterministic: the same script writes the same digests.
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'samples', 'oci-layout');

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const REF_NAME = 'org.opencontainers.image.ref.name';
const REPOSITORY = 'library/hello';
const MTIME = 1717243200; // 2024-06-01T12:00:00Z, fixed so that tarballs are reproducible

const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

const blobs = new Map();
function putBlob(bytes, mediaType) {
  const digest = sha256(bytes);
  blobs.set(digest, bytes);
  return { mediaType, digest, size: bytes.length };
}
const putJson = (value, mediaType) => putBlob(Buffer.from(JSON.stringify(value, null, 2)), mediaType);

// Filler that does not compress much, so layer sizes differ visibly in the bar chart.
function filler(seed, length) {
  let x = seed >>> 0 || 1;
  const words = ['alpha', 'bravo', 'delta', 'echo', 'kilo', 'lima', 'oscar', 'tango', 'x-ray', 'zulu'];
  let out = '';
  while (out.length < length) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out += x % 7 === 0 ? `${words[x % words.length]}\n` : `${words[x % words.length]}-${(x >>> 8).toString(36)} `;
  }
  return out.slice(0, length);
}

// ustar, with fixed owners and times.
function tar(entries) {
  const parts = [];
  for (const e of entries) {
    const data = Buffer.from(e.content ?? '', 'utf8');
    const h = Buffer.alloc(512);
    const text = (offset, length, value) => h.write(value, offset, length, 'ascii');
    const octal = (offset, length, n) => text(offset, length, `${n.toString(8).padStart(length - 1, '0')}\0`);
    text(0, 100, e.path);
    octal(100, 8, e.mode ?? (e.dir ? 0o755 : 0o644));
    octal(108, 8, 0);
    octal(116, 8, 0);
    octal(124, 12, e.dir ? 0 : data.length);
    octal(136, 12, MTIME);
    text(148, 8, '        ');
    text(156, 1, e.dir ? '5' : '0');
    text(257, 6, 'ustar\0');
    text(263, 2, '00');
    text(265, 32, 'root');
    text(297, 32, 'root');
    let sum = 0;
    for (const b of h) sum += b;
    text(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
    parts.push(h);
    if (!e.dir && data.length) parts.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

function layersFor(arch, seed) {
  const base = tar([
    { path: 'etc/', dir: true },
    { path: 'etc/os-release', content: `NAME="regcache sample"\nID=regcache\nVERSION_ID=1.0\nARCH=${arch}\n` },
    { path: 'usr/', dir: true },
    { path: 'usr/share/', dir: true },
    { path: 'usr/share/words.txt', content: filler(seed, 48_000) },
  ]);
  const tools = tar([
    { path: 'usr/lib/', dir: true },
    { path: 'usr/lib/tools.txt', content: filler(seed + 1, 14_000) },
  ]);
  const app = tar([
    { path: 'usr/local/', dir: true },
    { path: 'usr/local/bin/', dir: true },
    { path: 'usr/local/bin/hello', content: `#!/bin/sh\necho "hello from ${arch}: \${GREETING:-world}"\n`, mode: 0o755 },
  ]);
  return [base, tools, app].map((t) => ({ tar: t, gz: gzipSync(t, { level: 9 }) }));
}

function image({ platform, flavour, seed, created }) {
  const arch = platform.variant ? `${platform.architecture}/${platform.variant}` : platform.architecture;
  const layers = layersFor(arch, seed);
  const at = (minutes) => new Date(Date.parse(created) + minutes * 60_000).toISOString().replace('.000Z', 'Z');
  const config = {
    created: at(5),
    author: 'regcache samples <samples@regcache.invalid>',
    architecture: platform.architecture,
    ...(platform.variant ? { variant: platform.variant } : {}),
    os: platform.os,
    config: {
      User: '1000:1000',
      ExposedPorts: { '8080/tcp': {} },
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'GREETING=world'],
      Entrypoint: ['/usr/local/bin/hello'],
      Cmd: ['--color', 'auto'],
      WorkingDir: '/',
      Labels: {
        'org.opencontainers.image.title': 'hello',
        'org.opencontainers.image.description': `regcache sample image (${flavour}, ${platform.os}/${arch})`,
        'org.opencontainers.image.source': 'https://regcache.invalid/samples',
      },
    },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => sha256(l.tar)) },
    history: [
      { created: at(0), created_by: `/bin/sh -c #(nop) ADD file:rootfs-${arch.replace('/', '-')}.tar in / ` },
      {
        created: at(0),
        created_by: '/bin/sh -c #(nop)  ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        empty_layer: true,
      },
      { created: at(2), created_by: '/bin/sh -c install-tools --minimal', comment: 'tools for the sample' },
      { created: at(3), created_by: '/bin/sh -c #(nop) COPY file:hello in /usr/local/bin/hello ' },
      { created: at(4), created_by: '/bin/sh -c #(nop)  ENV GREETING=world', empty_layer: true },
      { created: at(4), created_by: '/bin/sh -c #(nop)  USER 1000:1000', empty_layer: true },
      { created: at(5), created_by: '/bin/sh -c #(nop)  ENTRYPOINT ["/usr/local/bin/hello"]', empty_layer: true },
      { created: at(5), created_by: '/bin/sh -c #(nop)  CMD ["--color" "auto"]', empty_layer: true },
    ],
  };
  const oci = flavour === 'oci';
  const manifest = {
    schemaVersion: 2,
    mediaType: oci ? OCI_MANIFEST : DOCKER_MANIFEST,
    config: putJson(config, oci ? OCI_CONFIG : DOCKER_CONFIG),
    layers: layers.map((l) => putBlob(l.gz, oci ? OCI_LAYER : DOCKER_LAYER)),
  };
  return { ...putJson(manifest, manifest.mediaType), platform };
}

const created = '2024-06-01T12:00:00Z';
const amd64 = image({ platform: { architecture: 'amd64', os: 'linux' }, flavour: 'oci', seed: 11, created });
const arm64 = image({ platform: { architecture: 'arm64', os: 'linux', variant: 'v8' }, flavour: 'oci', seed: 23, created });
const index = putJson(
  {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [amd64, arm64],
    annotations: { 'org.opencontainers.image.created': created },
  },
  OCI_INDEX,
);
const single = image({ platform: { architecture: 'amd64', os: 'linux' }, flavour: 'oci', seed: 37, created: '2024-05-20T08:30:00Z' });
const docker = image({ platform: { architecture: 'amd64', os: 'linux' }, flavour: 'docker', seed: 41, created: '2024-05-10T16:45:00Z' });

const named = (descriptor, tag) => {
  const { platform: _platform, ...plain } = descriptor;
  return { ...plain, annotations: { [REF_NAME]: `${REPOSITORY}:${tag}` } };
};

rmSync(OUT, { recursive: true, force: true });
mkdirSync(join(OUT, 'blobs', 'sha256'), { recursive: true });
for (const [digest, bytes] of blobs) writeFileSync(join(OUT, 'blobs', 'sha256', digest.slice('sha256:'.length)), bytes);
writeFileSync(join(OUT, 'oci-layout'), `${JSON.stringify({ imageLayoutVersion: '1.0.0' })}\n`);
writeFileSync(
  join(OUT, 'index.json'),
  `${JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [named(index, 'latest'), named(single, 'oci'), named(docker, 'docker')] }, null, 2)}\n`,
);
let total = 0;
for (const bytes of blobs.values()) total += bytes.length;
console.log(`make-samples: ${blobs.size} blobs, ${total} bytes, in ${OUT}`);
