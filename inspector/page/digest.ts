// Content digests, computed in the page with WebCrypto.

const ALGORITHMS: Record<string, string> = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };

async function hexDigest(algorithm: string, bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest(algorithm, bytes as Uint8Array<ArrayBuffer>));
  return [...hash].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function matchesDigest(digest: string, bytes: Uint8Array): Promise<boolean> {
  const [name = '', hex] = digest.split(':');
  const algorithm = ALGORITHMS[name];
  return algorithm !== undefined && hex === (await hexDigest(algorithm, bytes));
}
