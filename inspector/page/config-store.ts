// Image configs for offline use. regcache's worker caches manifests only (blobs are not
// its business), so the page keeps the configs it viewed in the Cache API itself, keyed
// by digest. A config is content-addressed and immutable: it is verified against its
// digest before it is stored, and once stored it never needs the registry again.
import { matchesDigest } from '../../src/core/oci/digest.js';
import { CONFIG_CACHE } from './offline-names.js';

// Cache API keys must be http(s) URLs; this host can never be fetched, only matched.
const keyFor = (digest: string) => `https://configs.regcache.invalid/${digest.replace(':', '/')}`;

// Configs are a few KiB; anything past this is not worth keeping offline.
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export interface StoredConfigs {
  count: number;
  bytes: number;
}

export class ConfigStore {
  private open(): Promise<Cache> {
    return caches.open(CONFIG_CACHE);
  }

  async get(digest: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
    const found = await (await this.open()).match(keyFor(digest));
    if (!found) return undefined;
    const bytes = new Uint8Array(await found.arrayBuffer());
    // Storage can be tampered with from devtools; a corrupt copy is dropped, not shown.
    if (await matchesDigest(digest, bytes)) return bytes;
    await (await this.open()).delete(keyFor(digest));
    return undefined;
  }

  // Stores only bytes that hash to the digest; returns whether they were stored.
  async put(digest: string, bytes: Uint8Array<ArrayBuffer>, mediaType: string): Promise<boolean> {
    if (bytes.byteLength > MAX_CONFIG_BYTES || !(await matchesDigest(digest, bytes))) return false;
    const response = new Response(bytes, {
      headers: { 'Content-Type': mediaType, 'Content-Length': String(bytes.byteLength), 'Docker-Content-Digest': digest },
    });
    await (await this.open()).put(keyFor(digest), response);
    return true;
  }

  async summary(): Promise<StoredConfigs> {
    const stored = await (await this.open()).matchAll();
    const bytes = stored.reduce((sum, r) => sum + Number(r.headers.get('Content-Length') ?? 0), 0);
    return { count: stored.length, bytes };
  }

  async clear(): Promise<number> {
    const count = (await (await this.open()).keys()).length;
    await caches.delete(CONFIG_CACHE);
    return count;
  }
}
