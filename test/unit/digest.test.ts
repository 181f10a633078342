import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DIGEST_ALGORITHMS,
  digestAlgorithm,
  digestProblem,
  isCanonicalDigest,
  isDigest,
  matchesDigest,
} from '../../src/core/oci/digest.js';

const body = new TextEncoder().encode('{}');
const hex = createHash('sha256').update(body).digest('hex');
const SHA256 = `sha256:${'a'.repeat(64)}`;
const SHA384 = `sha384:${'a'.repeat(96)}`;
const SHA512 = `sha512:${'0123456789abcdef'.repeat(8)}`;

describe('digests', () => {
  it('only lower-case hex of the right length is canonical', () => {
    expect(isCanonicalDigest(`sha256:${hex}`)).toBe(true);
    expect(isCanonicalDigest(`sha256:${hex.toUpperCase()}`)).toBe(false);
    expect(isCanonicalDigest(`sha256:${hex}0`)).toBe(false);
    expect(isCanonicalDigest(`sha512:${hex}`)).toBe(false);
    expect(isCanonicalDigest(`blake3:${hex}`)).toBe(false);
  });

  it("knows go-digest's algorithms", () => {
    expect(DIGEST_ALGORITHMS).toEqual(['sha256', 'sha384', 'sha512']);
  });

  it.each([SHA256, SHA384, SHA512])('parses %s as go-digest does', (d) => expect(isDigest(d)).toBe(true));

  it.each([
    ['sha256:00', { kind: 'length', algorithm: 'sha256', expected: 64, actual: 2 }],
    [`sha512:${'a'.repeat(64)}`, { kind: 'length', algorithm: 'sha512', expected: 128, actual: 64 }],
    [`sha256:${'A'.repeat(64)}`, { kind: 'encoding', algorithm: 'sha256' }],
    [`sha256:${'g'.repeat(64)}`, { kind: 'encoding', algorithm: 'sha256' }],
    [`md5:${'a'.repeat(32)}`, { kind: 'algorithm', algorithm: 'md5' }],
    [`constructor:${'a'.repeat(64)}`, { kind: 'algorithm', algorithm: 'constructor' }],
    ['sha256:', { kind: 'format' }],
    ['latest', { kind: 'format' }],
    [`Sha256:${'a'.repeat(64)}`, { kind: 'format' }],
    [`sha256:${'a'.repeat(64)}:x`, { kind: 'format' }],
  ])('%s is not one: %o', (d, problem) => {
    expect(digestProblem(d)).toEqual(problem);
    expect(isDigest(d)).toBe(false);
  });

  it('isDigest says yes exactly when digestProblem finds nothing', () => {
    const algorithms = ['sha256', 'sha384', 'sha512', 'md5', 'constructor', '__proto__', 'Sha256', 'sha-256', ''];
    const encodings = [0, 1, 32, 63, 64, 65, 96, 128, 129].flatMap((n) => ['a', 'A', 'g', '0', '='].map((c) => c.repeat(n)));
    const digests = algorithms.flatMap((a) => encodings.flatMap((e) => [`${a}:${e}`, `${a}:${e}:x`, `${a}${e}`]));
    for (const d of digests) expect(isDigest(d), d).toBe(digestProblem(d) === null);
    // Some of each answer, or the comparison would prove little.
    expect(digests.filter(isDigest).length).toBeGreaterThan(2);
  });

  it('keys records by sha256 and sha512 only', () => {
    expect(isCanonicalDigest(SHA256)).toBe(true);
    expect(isCanonicalDigest(SHA512)).toBe(true);
    expect(isCanonicalDigest(SHA384)).toBe(false);
  });

  it.each([
    `sha256:${'a'.repeat(63)}`,
    `sha256:${'A'.repeat(64)}`,
    `sha512:${'a'.repeat(64)}`,
    `md5:${'a'.repeat(32)}`,
    `sha256:${'g'.repeat(64)}`,
    'sha256:',
  ])('keys records by no %s', (d) => expect(isCanonicalDigest(d)).toBe(false));

  it.each(['constructor:abc', '__proto__:abc', 'toString:abc', 'hasOwnProperty:x', 'nocolon', 'sha256x'])('%s names no algorithm', (d) =>
    expect(digestAlgorithm(d)).toBeNull(),
  );

  it('matches only the canonical spelling, and never throws for odd names', async () => {
    expect(await matchesDigest(`sha256:${hex}`, body)).toBe(true);
    expect(await matchesDigest(`sha256:${hex.toUpperCase()}`, body)).toBe(false);
    expect(await matchesDigest('constructor:abc', body)).toBe(false);
  });

  it('verifies every algorithm it knows', async () => {
    for (const algorithm of DIGEST_ALGORITHMS) {
      const digest = `${algorithm}:${createHash(algorithm).update(body).digest('hex')}`;
      expect(await matchesDigest(digest, body)).toBe(true);
      expect(await matchesDigest(digest, new TextEncoder().encode('[]'))).toBe(false);
    }
  });
});
