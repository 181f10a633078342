import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestAlgorithm, isCanonicalDigest, matchesDigest } from '../../src/core/oci/digest.js';

const body = new TextEncoder().encode('{}');
const hex = createHash('sha256').update(body).digest('hex');

describe('digests', () => {
  it('only lower-case hex of the right length is canonical', () => {
    expect(isCanonicalDigest(`sha256:${hex}`)).toBe(true);
    expect(isCanonicalDigest(`sha256:${hex.toUpperCase()}`)).toBe(false);
    expect(isCanonicalDigest(`sha256:${hex}0`)).toBe(false);
    expect(isCanonicalDigest(`sha512:${hex}`)).toBe(false);
    expect(isCanonicalDigest(`blake3:${hex}`)).toBe(false);
  });

  it.each(['constructor:abc', '__proto__:abc', 'toString:abc', 'hasOwnProperty:x', 'nocolon'])('%s names no algorithm', (d) =>
    expect(digestAlgorithm(d)).toBeNull(),
  );

  it('matches only the canonical spelling, and never throws for odd names', async () => {
    expect(await matchesDigest(`sha256:${hex}`, body)).toBe(true);
    expect(await matchesDigest(`sha256:${hex.toUpperCase()}`, body)).toBe(false);
    expect(await matchesDigest('constructor:abc', body)).toBe(false);
  });
});
