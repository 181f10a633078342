// Content verification: a body is only trusted under a digest it really hashes to.

const ALGORITHMS = { sha256: 'SHA-256', sha512: 'SHA-512' } as const;
export type DigestAlgorithm = keyof typeof ALGORITHMS;

// The one canonical spelling of each algorithm regcache verifies: lower-case hex of the
// hash's length. Only these become keys; `sha256:ABC…` names the same bytes twice.
const CANONICAL = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function isCanonicalDigest(digest: string): boolean {
  return CANONICAL.test(digest);
}

// Own properties only: `constructor:…` or `__proto__:…` from a hostile header must not
// reach WebCrypto as an algorithm name.
export function digestAlgorithm(digest: string): DigestAlgorithm | null {
  const algorithm = digest.slice(0, digest.indexOf(':'));
  return Object.hasOwn(ALGORITHMS, algorithm) ? (algorithm as DigestAlgorithm) : null;
}

function hex(buffer: ArrayBuffer): string {
  let out = '';
  for (const byte of new Uint8Array(buffer)) out += byte.toString(16).padStart(2, '0');
  return out;
}

export async function computeDigest(algorithm: DigestAlgorithm, body: BufferSource): Promise<string> {
  return `${algorithm}:${hex(await crypto.subtle.digest(ALGORITHMS[algorithm], body))}`;
}

// Whether the body hashes to this canonical digest.
export async function matchesDigest(digest: string, body: BufferSource): Promise<boolean> {
  const algorithm = digestAlgorithm(digest);
  return algorithm !== null && isCanonicalDigest(digest) && (await computeDigest(algorithm, body)) === digest;
}
