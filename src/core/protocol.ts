// What the page client and the worker say to each other. Shared by both sides.

export const CHANNEL_NAME = 'regcache';
export const PERIODIC_SYNC_TAG = 'regcache-sweep';

export interface RegcacheStats {
  requests: number;
  hits: number;
  misses: number;
  stale: number;
  rechecks: number;
  upstreamGets: number;
  upstreamHeads: number;
  bytesPulled: number;
  bytesServed: number;
  verificationFailures: number;
  expired: number;
  evicted: number;
  // Records the last sweep looked at, to show that a sweep's cost follows what it deletes.
  lastSweepVisited: number;
  lastSweepDeleted: number;
  storedBytes: number;
}

export interface Entry {
  kind: 'manifest' | 'tag';
  upstream: string;
  repository: string;
  // A tag's name, or a manifest's digest.
  reference: string;
  digest: string;
  // For tags: the Accept set the tag was resolved under.
  accept?: string;
  mediaType?: string;
  size?: number;
  fetchedAt: number;
  confirmedAt: number;
  // null when the record never expires (ttl=0).
  expiresAt: number | null;
  lastUsed: number;
}

export interface PurgeFilter {
  upstream?: string;
  repository?: string;
  reference?: string;
}

export interface SweepReport {
  deleted: number;
  visited: number;
}

export type ClientRequest =
  | { type: 'stats' }
  | { type: 'entries' }
  | { type: 'purge'; filter: PurgeFilter }
  | { type: 'clear' }
  | { type: 'sweep' };

export interface ClientReplies {
  stats: RegcacheStats;
  entries: Entry[];
  purge: { deleted: number };
  clear: { deleted: number };
  sweep: SweepReport;
}

export type WorkerReply = { ok: true; result: unknown } | { ok: false; error: string };

export type RegcacheEvent =
  | { type: 'tag-moved'; upstream: string; repository: string; tag: string; from: string; to: string }
  | { type: 'expired'; manifests: number; tags: number };
