import { describe, expect, it } from 'vitest';
import { manifestCost, tagCost } from '../../src/sw/storage/record-cost.js';

// What IndexedDB took per record, measured with navigator.storage.estimate() (docs/api.md,
// "What maxBytes counts"): thousands of records of one shape written into a database with
// regcache's stores and indexes, the growth divided by their number. Chromium 156 in a
// Playwright context (kept in memory), Firefox ESR 153 once its write-ahead log was given
// back. Key strings random, so no engine could share or compress them.
const UPSTREAM = 'http://127.0.0.1:41234';
const DIGEST = `sha256:${'0'.repeat(64)}`;
const MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
const x = (n: number) => 'x'.repeat(n);

interface Shape {
  name: string;
  repo: number;
  measured: { chromium: number; firefox: number };
}

const manifests: Array<Shape & { headers?: number; body: number }> = [
  { name: 'registry headers, 2-byte body', repo: 20, body: 2, measured: { chromium: 1379, firefox: 1275 } },
  { name: '100-character repository', repo: 100, body: 2, measured: { chromium: 2073, firefox: 1720 } },
  { name: '255-character repository (the longest distribution allows)', repo: 255, body: 2, measured: { chromium: 3602, firefox: 5562 } },
  { name: 'Etag and Docker-Content-Digest of 1 KiB', repo: 20, headers: 1024, body: 2, measured: { chromium: 4900, firefox: 4994 } },
  { name: '4 KiB random body', repo: 20, body: 4096, measured: { chromium: 5714, firefox: 5404 } },
  { name: '256 KiB random body', repo: 20, body: 262_144, measured: { chromium: 263_919, firefox: 267_401 } },
  { name: '1 MiB random body', repo: 20, body: 1_048_576, measured: { chromium: 1_051_443, firefox: 1_050_204 } },
];

const tags: Array<Shape & { tag: number; accept: number }> = [
  { name: 'short tag, two known types', repo: 20, tag: 6, accept: 3, measured: { chromium: 1110, firefox: 999 } },
  {
    name: '128-character tag (the longest distribution allows)',
    repo: 20,
    tag: 128,
    accept: 3,
    measured: { chromium: 2133, firefox: 1573 },
  },
  { name: '255-character repository', repo: 255, tag: 6, accept: 3, measured: { chromium: 3760, firefox: 5865 } },
  { name: 'all long, 200 characters of unknown types', repo: 255, tag: 128, accept: 200, measured: { chromium: 6518, firefox: 6636 } },
];

describe('what a record counts against maxBytes', () => {
  it.each(manifests)('is no less than IndexedDB takes for a manifest: $name', ({ repo, headers, body, measured }) => {
    const cost = manifestCost({
      upstream: UPSTREAM,
      repository: x(repo),
      digest: DIGEST,
      mediaType: MEDIA_TYPE,
      headers: {
        contentType: MEDIA_TYPE,
        dockerContentDigest: headers ? x(headers) : DIGEST,
        etag: headers ? x(headers) : `"${DIGEST}"`,
        apiVersion: 'registry/2.0',
      },
      size: body,
    });
    expect(cost).toBeGreaterThanOrEqual(Math.max(measured.chromium, measured.firefox));
  });

  it.each(tags)('is no less than IndexedDB takes for a tag: $name', ({ repo, tag, accept, measured }) => {
    const cost = tagCost([UPSTREAM, x(repo), x(tag), x(accept)], DIGEST);
    expect(cost).toBeGreaterThanOrEqual(Math.max(measured.chromium, measured.firefox));
  });

  it('counts a tag by its key and digest, and a manifest also by its headers and body', () => {
    const key = [UPSTREAM, 'library/app', 'v1', '1,3'];
    expect(tagCost(key, DIGEST)).toBe(512 + 16 * (22 + 11 + 2 + 3 + 71));
    const headers = { contentType: MEDIA_TYPE, dockerContentDigest: null, etag: null, apiVersion: null };
    const m = { upstream: UPSTREAM, repository: 'library/app', digest: DIGEST, mediaType: MEDIA_TYPE, headers, size: 6400 };
    expect(manifestCost(m)).toBe(512 + 6400 + 100 + 2 * (42 + 42) + 16 * (22 + 11 + 71));
  });
});
