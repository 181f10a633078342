// Digests: their grammar, the algorithms known here, and verification. A body is only
// trusted under a digest it really hashes to.

// The OCI image spec's digest grammar, algorithm ":" encoded, as pattern sources for
// routes to build on. Whether the algorithm is one anybody can compute is asked below.
export const DIGEST_ALGORITHM = '[a-z0-9]+(?:[.+_-][a-z0-9]+)*';
export const DIGEST_ENCODED = '[a-zA-Z0-9=_-]+';
export const DIGEST = `${DIGEST_ALGORITHM}:${DIGEST_ENCODED}`;
const DIGEST_PARTS = new RegExp(`^(${DIGEST_ALGORITHM}):(${DIGEST_ENCODED})$`);

// go-digest's algorithms, which is what distribution parses, with WebCrypto's name for
// each and the length of its lower-case hex encoding.
const ALGORITHMS = {
  sha256: { hash: 'SHA-256', length: 64 },
  sha384: { hash: 'SHA-384', length: 96 },
  sha512: { hash: 'SHA-512', length: 128 },
} as const;
export type DigestAlgorithm = keyof typeof ALGORITHMS;
export const DIGEST_ALGORITHMS = /* @__PURE__ */ Object.keys(ALGORITHMS) as DigestAlgorithm[];

// The ones regcache keys records by: sha256 and sha512, the algorithms the OCI image spec
// registers (README: "tag or sha256/sha512 digest"). A sha384 manifest is passed through.
const KEYED: ReadonlySet<string> = new Set<DigestAlgorithm>(['sha256', 'sha512']);

export type DigestProblem =
  // Not algorithm ":" encoded at all.
  | { kind: 'format' }
  // Well formed, but no algorithm known here.
  | { kind: 'algorithm'; algorithm: string }
  // Known algorithm, but the encoding is not lower-case hex.
  | { kind: 'encoding'; algorithm: DigestAlgorithm }
  | { kind: 'length'; algorithm: DigestAlgorithm; expected: number; actual: number };

// Own properties only: `constructor:…` or `__proto__:…` from a hostile header must not
// reach WebCrypto as an algorithm name.
function known(algorithm: string): algorithm is DigestAlgorithm {
  return Object.hasOwn(ALGORITHMS, algorithm);
}

// What is wrong with a digest, or null when go-digest would parse it: a known algorithm
// and exactly its number of lower-case hex digits.
export function digestProblem(digest: string): DigestProblem | null {
  const parts = DIGEST_PARTS.exec(digest);
  if (!parts) return { kind: 'format' };
  const [, algorithm = '', encoded = ''] = parts;
  if (!known(algorithm)) return { kind: 'algorithm', algorithm };
  if (!/^[a-f0-9]+$/.test(encoded)) return { kind: 'encoding', algorithm };
  const expected = ALGORITHMS[algorithm].length;
  return encoded.length === expected ? null : { kind: 'length', algorithm, expected, actual: encoded.length };
}

// A digest of an algorithm known here, spelt canonically (`sha256:ABC…` names the same
// bytes as `sha256:abc…`, but is not a digest any registry parses). digestProblem's rule as
// a yes or no, without building the explanation: the worker only asks this, on every
// request by digest and every digest upstream names (digest.test.ts checks the two agree).
export function isDigest(digest: string): boolean {
  const [, algorithm = '', encoded = ''] = DIGEST_PARTS.exec(digest) ?? [];
  return known(algorithm) && /^[a-f0-9]+$/.test(encoded) && encoded.length === ALGORITHMS[algorithm].length;
}

export function digestAlgorithm(digest: string): DigestAlgorithm | null {
  const colon = digest.indexOf(':');
  const algorithm = colon < 0 ? '' : digest.slice(0, colon);
  return known(algorithm) ? algorithm : null;
}

// The digests regcache keys records by: canonical, and of a keyed algorithm. Any other
// digest is left alone.
export function isCanonicalDigest(digest: string): boolean {
  return isDigest(digest) && KEYED.has(digestAlgorithm(digest) ?? '');
}

function hex(buffer: ArrayBuffer): string {
  let out = '';
  for (const byte of new Uint8Array(buffer)) out += byte.toString(16).padStart(2, '0');
  return out;
}

export async function computeDigest(algorithm: DigestAlgorithm, body: BufferSource): Promise<string> {
  return `${algorithm}:${hex(await crypto.subtle.digest(ALGORITHMS[algorithm].hash, body))}`;
}

// Whether the body hashes to this digest, which must be spelt canonically.
export async function matchesDigest(digest: string, body: BufferSource): Promise<boolean> {
  const algorithm = digestAlgorithm(digest);
  return algorithm !== null && isDigest(digest) && (await computeDigest(algorithm, body)) === digest;
}
