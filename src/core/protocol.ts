// What the page client and the worker say to each other. Shared by both sides.

/** The name of the `BroadcastChannel` the worker posts {@link RegcacheEvent}s on: `'regcache'`. */
export const CHANNEL_NAME = 'regcache';
/** The `periodicsync` tag the worker registers its sweep of expired records under: `'regcache-sweep'`. */
export const PERIODIC_SYNC_TAG = 'regcache-sweep';

/**
 * What the cache has done, counted since its database was created (`clear()` does not reset
 * them). Kept in IndexedDB, so the counts survive worker restarts. Counts are of requests,
 * records or bodies; `bytes…` values are bytes of manifest bodies.
 */
export interface RegcacheStats {
  /** Manifest `GET` and `HEAD` requests regcache answered. */
  requests: number;
  /** Requests answered from the store (`Cache-Status: regcache; hit`), revalidated ones included. */
  hits: number;
  /** Requests answered from upstream: nothing usable stored, a moved tag, `Accept` not matching, `no-store`. */
  misses: number;
  /** Requests answered from the store because upstream could not be asked (`detail=stale`). */
  stale: number;
  /** Re-checks of stored answers with upstream (a `HEAD`): tags, and private records. */
  rechecks: number;
  /** `GET` requests regcache sent upstream. */
  upstreamGets: number;
  /** `HEAD` requests regcache sent upstream. */
  upstreamHeads: number;
  /** Bytes of manifest bodies fetched from upstream. */
  bytesPulled: number;
  /** Bytes of manifest bodies sent to pages from the store (`GET` only). */
  bytesServed: number;
  /** Bodies whose digest did not match what upstream said or the request asked for; they were not stored. */
  verificationFailures: number;
  /** Records (manifests and tags) deleted by sweeps because they expired. */
  expired: number;
  /** Records (manifests and tags) deleted to stay within `maxBytes`, or to make room for a write the browser's quota refused. */
  evicted: number;
  /** Records the last sweep looked at: a sweep's cost follows what it deletes, not what is stored. */
  lastSweepVisited: number;
  /** Records the last sweep deleted. */
  lastSweepDeleted: number;
  /** Bytes of manifest bodies stored now (what `maxBytes` limits). */
  storedBytes: number;
}

/** One stored record, as `entries()` lists it. Times are milliseconds since the epoch. */
export interface Entry {
  /** A manifest (stored by digest), or a tag (pointing at a manifest's digest). */
  kind: 'manifest' | 'tag';
  /** The registry's origin, e.g. `https://registry.example`. */
  upstream: string;
  /** The repository's name, e.g. `library/alpine`. */
  repository: string;
  /** A tag's name, or a manifest's digest. */
  reference: string;
  /** The manifest's digest (for a tag: the one it points at). */
  digest: string;
  /** Tags only: the `Accept` set the tag was resolved under: media types, lower-case, sorted, comma-separated. */
  accept?: string;
  /** Manifests only: the manifest's media type. */
  mediaType?: string;
  /** Manifests only: the body's size in bytes. */
  size?: number;
  /** When upstream's answer was fetched, in milliseconds since the epoch. */
  fetchedAt: number;
  /** When upstream last confirmed the record, in milliseconds since the epoch; expiry counts from here. */
  confirmedAt: number;
  /** When the record expires, in milliseconds since the epoch; `null` when it never does (`ttl` 0). */
  expiresAt: number | null;
  /** When the record was last served, in milliseconds since the epoch. */
  lastUsed: number;
}

/** Which records `purge()` deletes: those matching every given field. */
export interface PurgeFilter {
  /** The registry's origin, e.g. `https://registry.example`. */
  upstream?: string;
  /** The repository's name, e.g. `library/alpine`. */
  repository?: string;
  /** A tag or a digest; a purged manifest takes the tags pointing at it along. */
  reference?: string;
}

/** What a sweep of expired records did. */
export interface SweepReport {
  /** Records (manifests and tags) deleted. */
  deleted: number;
  /** Records looked at. */
  visited: number;
}

/** A page's request to the worker. @internal */
export type ClientRequest =
  | { type: 'stats' }
  | { type: 'entries' }
  | { type: 'purge'; filter: PurgeFilter }
  | { type: 'clear' }
  | { type: 'sweep' };

/** What the worker answers each request with. @internal */
export interface ClientReplies {
  stats: RegcacheStats;
  entries: Entry[];
  purge: { deleted: number };
  clear: { deleted: number };
  sweep: SweepReport;
}

/** The worker's reply, as sent over the request's port. @internal */
export type WorkerReply = { ok: true; result: unknown } | { ok: false; error: string };

/**
 * What the worker posts on the {@link CHANNEL_NAME} `BroadcastChannel`, to every page of
 * its origin. A courtesy, not a guarantee: pages that are closed miss them.
 */
export type RegcacheEvent =
  | {
      /**
       * A re-check found that upstream moved a tag to another digest. After a background
       * re-check (`swr`), sent once the store holds the new answer (or has dropped the old
       * one), so a request made on hearing it gets the new digest.
       */
      type: 'tag-moved';
      /** The registry's origin. */
      upstream: string;
      /** The repository's name. */
      repository: string;
      /** The tag's name. */
      tag: string;
      /** The digest the tag pointed at. */
      from: string;
      /** The digest it points at now. */
      to: string;
    }
  | {
      /**
       * A background re-check (`swr`) found that upstream answers 404 for a tag under one
       * `Accept` set: that variant of the tag was dropped.
       */
      type: 'tag-dropped';
      /** The registry's origin. */
      upstream: string;
      /** The repository's name. */
      repository: string;
      /** The tag's name. */
      tag: string;
      /** The `Accept` set of the dropped variant: media types, lower-case, sorted, comma-separated. */
      accept: string;
    }
  | {
      /** A sweep deleted expired records. */
      type: 'expired';
      /** Manifests deleted. */
      manifests: number;
      /** Tags deleted. */
      tags: number;
    };
