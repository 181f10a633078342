import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BUNDLE_FORMAT, type Bundle, BundleError, type BundleManifest, readBundle, toBase64 } from '../../src/core/bundle/format.js';
import { mergeBundles } from '../../src/core/bundle/merge.js';
import { verifyBundle } from '../../src/core/bundle/verify.js';
import { OCI_INDEX, OCI_MANIFEST } from '../../src/core/oci/media-types.js';

const UPSTREAM = 'https://registry.example';
const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

function manifest(repository: string, n: number, mediaType = OCI_MANIFEST): BundleManifest {
  const body = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType, config: { n }, layers: [] }));
  const digest = sha256(body);
  return {
    upstream: UPSTREAM,
    repository,
    digest,
    mediaType,
    body: toBase64(body),
    headers: { contentType: mediaType, dockerContentDigest: digest, etag: `"${digest}"`, apiVersion: 'registry/2.0' },
    fetchedAt: 1_000,
    confirmedAt: 2_000,
    private: false,
  };
}

function bundle(manifests: BundleManifest[], extra: Partial<Bundle> = {}): Bundle {
  return {
    format: BUNDLE_FORMAT,
    version: 1,
    createdAt: 3_000,
    manifests,
    tags: manifests.map((m, i) => ({
      upstream: m.upstream,
      repository: m.repository,
      tag: `v${i}`,
      accept: [OCI_MANIFEST, OCI_INDEX].sort(),
      digest: m.digest,
      fetchedAt: 1_000,
      confirmedAt: 2_000,
      private: false,
    })),
    ...extra,
  };
}

// One base64 character of the body changed: the bytes no longer hash to the digest.
function flipped(m: BundleManifest): BundleManifest {
  const bytes = Buffer.from(m.body, 'base64');
  bytes[10] = bytes[10]! ^ 0x01;
  return { ...m, body: bytes.toString('base64') };
}

const verified = async (input: unknown) => verifyBundle(readBundle(typeof input === 'string' ? input : JSON.stringify(input)));

describe('reading and verifying a bundle', () => {
  it('keeps every record of a sound bundle, bytes and all', async () => {
    const b = bundle([manifest('team/app', 1), manifest('team/app', 2)]);
    const read = await verified(b);
    expect(read.rejected).toEqual([]);
    expect(read.manifests.map((m) => m.digest)).toEqual(b.manifests.map((m) => m.digest));
    expect(Buffer.from(read.manifests[0]!.body).toString('base64')).toBe(b.manifests[0]!.body);
    expect(read.tags.map((t) => t.tag)).toEqual(['v0', 'v1']);
  });

  it('refuses a record with one byte flipped, and its tag, with DIGEST_INVALID; the others are kept', async () => {
    const [good, bad] = [manifest('team/app', 1), manifest('team/app', 2)];
    const read = await verified(bundle([good, flipped(bad)]));
    expect(read.manifests.map((m) => m.digest)).toEqual([good.digest]);
    expect(read.tags.map((t) => t.digest)).toEqual([good.digest]);
    expect(read.rejected).toEqual([
      expect.objectContaining({ kind: 'manifest', index: 1, reference: bad.digest, code: 'DIGEST_INVALID' }),
      expect.objectContaining({ kind: 'tag', index: 1, reference: 'v1', code: 'MANIFEST_UNKNOWN' }),
    ]);
  });

  it('refuses a manifest filed under another digest, or whose Docker-Content-Digest names another', async () => {
    const [a, b] = [manifest('team/app', 1), manifest('team/app', 2)];
    const read = await verified(
      bundle([
        { ...a, digest: b.digest, headers: { ...a.headers, dockerContentDigest: null } },
        { ...b, headers: { ...b.headers, dockerContentDigest: a.digest } },
      ]),
    );
    expect(read.manifests).toEqual([]);
    expect(read.rejected.filter((r) => r.kind === 'manifest').map((r) => r.code)).toEqual(['DIGEST_INVALID', 'DIGEST_INVALID']);
  });

  it('says a truncated bundle is not valid JSON', () => {
    const text = JSON.stringify(bundle([manifest('team/app', 1)]));
    for (const cut of [1, text.length / 2, text.length - 1]) {
      expect(() => readBundle(text.slice(0, cut))).toThrow(/not valid JSON \(truncated or damaged\?\)/);
    }
    try {
      readBundle(text.slice(0, 10));
    } catch (error) {
      expect(error).toBeInstanceOf(BundleError);
      expect((error as BundleError).code).toBe('BUNDLE_INVALID');
    }
  });

  it('says a future version is not understood, and names the version', () => {
    const future = { ...bundle([manifest('team/app', 1)]), version: 2 };
    expect(() => readBundle(JSON.stringify(future))).toThrow(
      'bundle version 2 is not understood by this regcache, which reads version 1: upgrade regcache',
    );
    expect(() => readBundle({ ...future, version: '1' })).toThrow(expect.objectContaining({ code: 'BUNDLE_VERSION' }));
    expect(() => readBundle({ format: 'something-else', version: 1 })).toThrow(/not a regcache bundle/);
    expect(() => readBundle([])).toThrow(/not a regcache bundle/);
    expect(() => readBundle({ format: BUNDLE_FORMAT, version: 1, manifests: {} })).toThrow(/"manifests" and "tags" lists/);
  });

  it('refuses hostile values record by record: bad names, references, sizes, times and types', async () => {
    const m = manifest('team/app', 1);
    const tag = bundle([m]).tags[0]!;
    const huge = 'A'.repeat(Math.ceil((4 * 1024 * 1024) / 3) * 4 + 4);
    const read = await verified({
      format: BUNDLE_FORMAT,
      version: 1,
      createdAt: 0,
      manifests: [
        { ...m, repository: 'Team/App' },
        { ...m, repository: '../etc' },
        { ...m, upstream: 'https://registry.example/v2/' },
        { ...m, upstream: 'https://user:pw@registry.example' },
        { ...m, upstream: 'javascript:alert(1)' },
        { ...m, digest: 'sha256:ABC' },
        { ...m, digest: 'md5:0123' },
        { ...m, body: huge },
        { ...m, body: 'not base64!' },
        { ...m, fetchedAt: -1 },
        { ...m, confirmedAt: 1e300 },
        { ...m, private: 'no' },
        { ...m, headers: { ...m.headers, etag: 'x'.repeat(1025) } },
        { ...m, headers: null },
        { ...m, mediaType: 'text/html', headers: { ...m.headers, contentType: 'text/html' } },
        { ...m, headers: { ...m.headers, contentType: 'text/html' } },
        'a string',
        null,
      ],
      tags: [
        { ...tag, tag: '-bad' },
        { ...tag, tag: 'x'.repeat(129) },
        { ...tag, accept: 'application/json' },
        { ...tag, accept: Array.from({ length: 33 }, (_, i) => `a/b${i}`) },
        { ...tag, accept: ['Application/JSON'] },
        { ...tag, digest: 'sha256:zz' },
        7,
      ],
    });
    expect(read.manifests).toEqual([]);
    expect(read.tags).toEqual([]);
    expect(read.rejected.map((r) => `${r.kind}${r.index}:${r.code}`)).toEqual([
      'manifest0:NAME_INVALID',
      'manifest1:NAME_INVALID',
      'manifest2:NAME_INVALID',
      'manifest3:NAME_INVALID',
      'manifest4:NAME_INVALID',
      'manifest5:DIGEST_INVALID',
      'manifest6:DIGEST_INVALID',
      'manifest7:MANIFEST_INVALID',
      'manifest8:MANIFEST_INVALID',
      'manifest9:MANIFEST_INVALID',
      'manifest10:MANIFEST_INVALID',
      'manifest11:MANIFEST_INVALID',
      'manifest12:MANIFEST_INVALID',
      'manifest13:MANIFEST_INVALID',
      'manifest16:MANIFEST_INVALID',
      'manifest17:MANIFEST_INVALID',
      'tag0:TAG_INVALID',
      'tag1:TAG_INVALID',
      'tag2:MANIFEST_INVALID',
      'tag3:MANIFEST_INVALID',
      'tag4:MANIFEST_INVALID',
      'tag5:DIGEST_INVALID',
      'tag6:TAG_INVALID',
      // Well formed, but not a manifest regcache stores; or its Content-Type names another type.
      'manifest14:MANIFEST_INVALID',
      'manifest15:MANIFEST_INVALID',
    ]);
  });

  it('never reads __proto__ or inherited keys as fields', async () => {
    const m = manifest('team/app', 1);
    const text = JSON.stringify(bundle([m]))
      .replace('"private":false', '"__proto__":{"private":true,"polluted":1},"private":false')
      .replace('"format"', '"__proto__":{"version":1},"format"');
    const read = await verified(text);
    expect(read.rejected).toEqual([]);
    expect(read.manifests[0]!.private).toBe(false);
    expect(Object.keys(read.manifests[0]!)).not.toContain('__proto__');
    expect(({} as { polluted?: number }).polluted).toBeUndefined();
    // A bundle whose version is only inherited is no bundle of version 1.
    expect(() => readBundle('{"format":"regcache-bundle","__proto__":{"version":1},"manifests":[],"tags":[]}')).toThrow(
      expect.objectContaining({ code: 'BUNDLE_VERSION' }),
    );
  });
});

describe('merging bundles', () => {
  it('keeps every record of both, the later confirmation where both hold one, in a stable order', () => {
    const [a, b, c] = [manifest('team/app', 1), manifest('team/app', 2), manifest('team/other', 3)];
    const first = bundle([a, b]);
    const second = bundle([{ ...b, confirmedAt: 9_000 }, c]);
    second.tags[0] = { ...second.tags[0]!, tag: 'v1', confirmedAt: 9_000 };
    const merged = mergeBundles(first, second);
    expect(merged.manifests).toHaveLength(3);
    expect(merged.manifests.find((m) => m.digest === b.digest)!.confirmedAt).toBe(9_000);
    expect(merged.tags.map((t) => `${t.repository}:${t.tag}@${t.confirmedAt}`).sort()).toEqual([
      'team/app:v0@2000',
      'team/app:v1@9000',
      'team/other:v1@2000',
    ]);
    expect(mergeBundles(second, first)).toEqual(merged);
  });
});
