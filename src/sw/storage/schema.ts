// The IndexedDB schema. Bump SCHEMA_VERSION with every change to stores, indexes or records,
// and add the step that upgrades to it in migrations.ts.

export const DB_NAME = 'regcache';
// 2: records carry `private`. Version 1 databases are dropped and rebuilt: they cannot
// tell which records were fetched with credentials.
// 3: tag keys write known media types as short codes (acceptKey); version 2 tags are rekeyed.
// 4: the running total in meta counts what every record costs (record-cost.ts), tags
// included, not body bytes; it is recomputed for version 2 and 3 databases.
export const SCHEMA_VERSION = 4;

// The upstream headers a served answer repeats; nothing else from upstream is kept.
export interface StoredHeaders {
  contentType: string;
  dockerContentDigest: string | null;
  etag: string | null;
  apiVersion: string | null;
}

export type ManifestKey = [upstream: string, repository: string, digest: string];
export type TagKey = [upstream: string, repository: string, tag: string, accept: string];

export interface ManifestRecord {
  upstream: string;
  repository: string;
  digest: string;
  mediaType: string;
  body: ArrayBuffer;
  headers: StoredHeaders;
  size: number;
  fetchedAt: number;
  // Last time upstream vouched for this content: its fetch or a HEAD that returned it.
  confirmedAt: number;
  // Infinity when the configured ttl is 0.
  expiresAt: number;
  lastUsed: number;
  // Fetched with an Authorization header: served only to requests upstream accepts.
  private: boolean;
}

export interface TagRecord {
  upstream: string;
  repository: string;
  tag: string;
  // The normalised Accept set the tag was resolved under, as acceptKey writes it.
  accept: string;
  digest: string;
  fetchedAt: number;
  confirmedAt: number;
  expiresAt: number;
  lastUsed: number;
  private: boolean;
}

// The stores by name, for typed-idb.ts.
export interface RegcacheSchema {
  manifests: {
    key: ManifestKey;
    value: ManifestRecord;
    indexes: { 'by-expiry': number; 'by-last-used': number };
  };
  tags: {
    key: TagKey;
    value: TagRecord;
    indexes: { 'by-expiry': number; 'by-manifest': ManifestKey };
  };
  meta: {
    key: string;
    value: unknown;
  };
}

export const MANIFEST_KEY_PATH = ['upstream', 'repository', 'digest'];
export const TAG_KEY_PATH = ['upstream', 'repository', 'tag', 'accept'];
