// Attacker-supplied OCI layouts, as the inspector's "Open an OCI layout…" and
// importOciLayout() read them: ref.name values that are no tags, JSON that is no JSON,
// names in a tar that climb out of the layout, an index that points at itself.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readBundle } from '../../src/core/bundle/format.js';
import { LayoutError, type LayoutReader, layoutToBundle } from '../../src/core/bundle/oci-layout.js';
import { readTar } from '../../src/core/bundle/tar.js';
import { verifyBundle } from '../../src/core/bundle/verify.js';

const enc = new TextEncoder();
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const target = { upstream: 'https://registry.example', repository: 'team/app' };

function layout(files: Record<string, Uint8Array | string>): LayoutReader {
  return async (path) => {
    const f = files[path];
    return f === undefined ? null : typeof f === 'string' ? enc.encode(f) : Uint8Array.from(f);
  };
}

const manifest = enc.encode(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 2 },
    layers: [],
  }),
);
const blob = (b: Uint8Array) => `blobs/sha256/${sha(b).slice(7)}`;
const marker = '{"imageLayoutVersion":"1.0.0"}';

function withRefs(refs: unknown[]): LayoutReader {
  const index = {
    schemaVersion: 2,
    manifests: refs.map((ref) => ({
      mediaType: OCI_MANIFEST,
      digest: sha(manifest),
      size: manifest.length,
      annotations: { 'org.opencontainers.image.ref.name': ref },
    })),
  };
  return layout({ 'oci-layout': marker, 'index.json': JSON.stringify(index), [blob(manifest)]: manifest });
}

// A ustar archive of the given files (names up to 100 bytes), checksums included.
function tar(files: Record<string, string>): Uint8Array<ArrayBuffer> {
  const blocks: Uint8Array[] = [];
  for (const [name, body] of Object.entries(files)) {
    const header = new Uint8Array(512);
    header.set(enc.encode(name), 0);
    header.set(enc.encode('0000644\0'), 100);
    header.set(enc.encode(`${body.length.toString(8).padStart(11, '0')}\0`), 124);
    header.set(enc.encode('00000000000\0'), 136);
    header[156] = '0'.charCodeAt(0);
    header.set(enc.encode('ustar\u000000'), 257);
    header.fill(32, 148, 156);
    const sum = header.reduce((a, b) => a + b, 0);
    header.set(enc.encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
    const data = new Uint8Array(Math.ceil(body.length / 512) * 512);
    data.set(enc.encode(body));
    blocks.push(header, data);
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

describe('a hostile OCI layout', () => {
  it('ref.name values that are not tags are refused as TAG_INVALID; the manifest stays', async () => {
    const bad = [
      '../../etc/passwd',
      'a b',
      'x'.repeat(129),
      '-lead',
      'repo:',
      'a:b:c',
      'host:5000/team/app:v3',
      'Team/App:v4',
      'tag\u0000nul',
      '.dot',
      'ünïcode',
    ];
    const bundle = await layoutToBundle(withRefs([...bad, 42, null, { tag: 'v1' }, 'v1', 'team/app:v2']), target, 1000);
    const read = await verifyBundle(readBundle(bundle));
    expect(read.manifests.map((m) => m.digest)).toEqual([sha(manifest)]);
    expect(read.tags.map((t) => t.tag).sort()).toEqual(['v1', 'v2', 'v3']);
    for (const r of read.rejected) expect(r.code).toBe('TAG_INVALID');
    // "a:b:c" names no tag at all (its name part is no name), rather than tag "c".
    expect(bundle.tags.map((t) => t.tag)).not.toContain('c');
  });

  it('JSON that is not JSON, and the wrong version, are a LayoutError', async () => {
    await expect(layoutToBundle(layout({ 'oci-layout': '{', 'index.json': '{}' }), target)).rejects.toThrow(LayoutError);
    await expect(layoutToBundle(layout({ 'oci-layout': '{"imageLayoutVersion":"2"}', 'index.json': '{}' }), target)).rejects.toThrow(
      /not 1\.0\.0/,
    );
    await expect(layoutToBundle(layout({ 'oci-layout': marker, 'index.json': '\u00ff{' }), target)).rejects.toThrow(
      /index\.json is not JSON/,
    );
    await expect(layoutToBundle(layout({ 'index.json': '{}' }), target)).rejects.toThrow(/no oci-layout file/);
  });

  it('a blob whose bytes do not match its digest is refused with DIGEST_INVALID, with its tag', async () => {
    const damaged = Uint8Array.from(manifest);
    damaged[damaged.length - 2] = (damaged[damaged.length - 2] ?? 0) ^ 1;
    const index = {
      manifests: [{ mediaType: OCI_MANIFEST, digest: sha(manifest), annotations: { 'org.opencontainers.image.ref.name': 'v1' } }],
    };
    const bundle = await layoutToBundle(
      layout({ 'oci-layout': marker, 'index.json': JSON.stringify(index), [blob(manifest)]: damaged }),
      target,
    );
    const read = await verifyBundle(readBundle(bundle));
    expect(read.manifests).toEqual([]);
    expect(read.tags).toEqual([]);
    expect(read.rejected.map((r) => r.code).sort()).toEqual(['DIGEST_INVALID', 'MANIFEST_UNKNOWN']);
  });

  it('an index that points at itself, and descriptors that are not descriptors, end', async () => {
    // An index cannot hold its own digest, but two can point at each other through the queue.
    const inner = enc.encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [{ mediaType: OCI_MANIFEST, digest: sha(manifest) }, 'x', null, { digest: 5 }],
      }),
    );
    const index = {
      manifests: [
        { mediaType: OCI_INDEX, digest: sha(inner) },
        { mediaType: OCI_INDEX, digest: sha(inner) },
        { mediaType: OCI_MANIFEST, digest: 'sha256:../../x' },
      ],
    };
    const bundle = await layoutToBundle(
      layout({ 'oci-layout': marker, 'index.json': JSON.stringify(index), [blob(inner)]: inner, [blob(manifest)]: manifest }),
      target,
    );
    expect(bundle.manifests.map((m) => m.digest).sort()).toEqual([sha(inner), sha(manifest)].sort());
  });

  it('names in a tar that climb out of the layout are never read as its files', async () => {
    const archive = tar({ '../oci-layout': marker, '/index.json': '{"manifests":[]}', 'x/../oci-layout': marker });
    const files = readTar(archive);
    const read: LayoutReader = async (path) => (files.get(path) as Uint8Array<ArrayBuffer> | undefined) ?? null;
    await expect(layoutToBundle(read, target)).rejects.toThrow(/no oci-layout file/);
    expect(() => readTar(archive.slice(0, 520))).toThrow(/truncated/);
  });
});
