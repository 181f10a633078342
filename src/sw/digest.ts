// Content verification: a body is only trusted under a digest it really hashes to.

const ALGORITHMS = { sha256: 'SHA-256', sha512: 'SHA-512' } as const;
export type DigestAlgorithm = keyof typeof ALGORITHMS;

export function digestAlgorithm(digest: string): DigestAlgorithm | null {
  const algorithm = digest.slice(0, digest.indexOf(':'));
  return algorithm in ALGORITHMS ? (algorithm as DigestAlgorithm) : null;
}

function hex(buffer: ArrayBuffer): string {
  let out = '';
  for (const byte of new Uint8Array(buffer)) out += byte.toString(16).padStart(2, '0');
  return out;
}

export async function computeDigest(algorithm: DigestAlgorithm, body: BufferSource): Promise<string> {
  return `${algorithm}:${hex(await crypto.subtle.digest(ALGORITHMS[algorithm], body))}`;
}

// A result of null means the algorithm is unknown, so the body cannot be verified.
export async function matchesDigest(digest: string, body: BufferSource): Promise<boolean | null> {
  const algorithm = digestAlgorithm(digest);
  if (!algorithm) return null;
  return (await computeDigest(algorithm, body)) === digest.toLowerCase();
}
