// regcache/client: what a page uses to ask the worker what it holds and does.

import type { Bundle } from '../core/bundle/format.js';
import type { LayoutTarget } from '../core/bundle/oci-layout.js';
import { parseConfig } from '../core/config.js';
import { acceptTypes } from '../core/http/accept.js';
import {
  CHANNEL_NAME,
  type ClientReplies,
  type ClientRequest,
  type Entry,
  type PurgeFilter,
  type RegcacheEvent,
  type RegcacheStats,
  type SweepReport,
  type WorkerReply,
} from '../core/protocol.js';
import type { ExportFilter, ImportOptions, ImportReport, LayoutSource } from './bundle.js';

export type { Bundle, BundleHeaders, BundleManifest, BundleTag, RejectedRecord } from '../core/bundle/format.js';
export { BUNDLE_FORMAT, BUNDLE_VERSION, BundleError } from '../core/bundle/format.js';
export { LayoutError } from '../core/bundle/oci-layout.js';
export { ConfigError } from '../core/config.js';
export { CHANNEL_NAME, PERIODIC_SYNC_TAG } from '../core/protocol.js';
export type {
  Entry,
  ExportFilter,
  ImportOptions,
  ImportReport,
  LayoutSource,
  LayoutTarget,
  PurgeFilter,
  RegcacheEvent,
  RegcacheStats,
  SweepReport,
};

/** {@link createClient}'s options. */
export interface ClientOptions {
  /**
   * The worker to talk to.
   * @defaultValue the page's controller, or the active worker once `navigator.serviceWorker.ready` settles
   */
  worker?: ServiceWorker;
  /**
   * Milliseconds to wait for the worker's answer to each call before rejecting with a
   * {@link RegcacheError}.
   * @defaultValue 10000
   */
  timeout?: number;
}

/**
 * What the client's methods reject with: no service workers in this browser, no active
 * worker, no answer within the timeout, or a failure the worker reported.
 */
export class RegcacheError extends Error {
  /** Always `'RegcacheError'`. */
  override name = 'RegcacheError';
}

async function findWorker(): Promise<ServiceWorker> {
  if (!('serviceWorker' in navigator)) throw new RegcacheError('this browser has no service workers');
  const registration = await navigator.serviceWorker.ready;
  const worker = navigator.serviceWorker.controller ?? registration.active;
  if (!worker) throw new RegcacheError('no active regcache worker for this page');
  return worker;
}

/**
 * Talks to the regcache worker of this page's origin. Each method sends one message over a
 * `MessageChannel` and resolves with the worker's answer, once the worker's start-up sweep
 * is done (so nothing expired is listed or counted); it rejects with a
 * {@link RegcacheError}.
 */
export class RegcacheClient {
  /** @param options - The worker to talk to, and how long to wait for it. */
  constructor(private readonly options: ClientOptions = {}) {}

  private async ask<T extends ClientRequest['type']>(request: ClientRequest & { type: T }): Promise<ClientReplies[T]> {
    const worker = this.options.worker ?? (await findWorker());
    const timeoutMs = this.options.timeout ?? 10_000;
    const channel = new MessageChannel();
    return new Promise<ClientReplies[T]>((resolve, reject) => {
      const timer = setTimeout(() => {
        channel.port1.close();
        reject(new RegcacheError(`the worker did not answer ${request.type}() within ${timeoutMs} ms`));
      }, timeoutMs);
      channel.port1.onmessage = (event: MessageEvent<WorkerReply>) => {
        clearTimeout(timer);
        channel.port1.close();
        const reply = event.data;
        if (reply.ok) resolve(reply.result as ClientReplies[T]);
        else reject(new RegcacheError(`${request.type}() failed in the worker: ${reply.error}`));
      };
      worker.postMessage({ regcache: request }, [channel.port2]);
    });
  }

  /** The worker's counters. */
  stats(): Promise<RegcacheStats> {
    return this.ask({ type: 'stats' });
  }

  /** Every stored manifest and tag. */
  async entries(): Promise<Entry[]> {
    // Tag keys name known media types by code; they are spelt out here, not in the worker.
    const entries = await this.ask({ type: 'entries' });
    return entries.map((e) => (e.accept === undefined ? e : { ...e, accept: acceptTypes(e.accept).join(',') }));
  }

  /**
   * Deletes the records matching every given field; a purged manifest takes the tags
   * pointing at it along.
   * @param filter - `{ upstream?, repository?, reference? }`; a reference is a tag or a digest. Unknown keys reject.
   * @returns how many records (manifests and tags) were deleted
   */
  purge(filter: PurgeFilter): Promise<{ deleted: number }> {
    return this.ask({ type: 'purge', filter });
  }

  /**
   * Deletes every stored record (not the counters).
   * @returns how many records (manifests and tags) were deleted
   */
  clear(): Promise<{ deleted: number }> {
    return this.ask({ type: 'clear' });
  }

  /** Deletes expired records now, rather than at the next alarm. */
  sweep(): Promise<SweepReport> {
    return this.ask({ type: 'sweep' });
  }

  /**
   * Subscribes to tag moves and expiries, from every worker of this origin (over the
   * {@link CHANNEL_NAME} `BroadcastChannel`).
   * @param listener - Called with each {@link RegcacheEvent}.
   * @returns a function that unsubscribes
   */
  onEvent(listener: (event: RegcacheEvent) => void): () => void {
    const channel = new BroadcastChannel(CHANNEL_NAME);
    channel.onmessage = (event: MessageEvent<RegcacheEvent>) => listener(event.data);
    return () => channel.close();
  }
}

/**
 * Registers the ready-made worker, after checking its query string with the worker's own
 * parser: a malformed parameter rejects with a {@link ConfigError} naming it, and nothing
 * is registered. (Browsers report a worker that throws while it starts only as "script
 * evaluation failed".)
 * @param scriptUrl - The worker's URL with its query parameters, resolved against the page's URL.
 * @param options - Passed to `navigator.serviceWorker.register()`, e.g. `{ scope: '/' }`.
 */
export async function registerWorker(scriptUrl: string, options?: RegistrationOptions): Promise<ServiceWorkerRegistration> {
  const url = new URL(scriptUrl, location.href);
  parseConfig(url.search, url.origin);
  return navigator.serviceWorker.register(url.href, options);
}

/**
 * A client for the regcache worker of this page's origin: `new RegcacheClient(options)`.
 * @param options - The worker to talk to, and the timeout in milliseconds (default 10000).
 */
export function createClient(options?: ClientOptions): RegcacheClient {
  return new RegcacheClient(options);
}

// The bundle code (the worker's storage modules and idb) loads on first use, so a page that
// only talks to the worker does not carry it.
const bundles = () => import('./bundle.js');

/**
 * Writes what this origin's store holds into a bundle (docs/bundle-format.md): manifests
 * with their bytes, media types and headers, tags with their `Accept` sets, and times.
 * A tag brings the manifest it points at along. Private records are left out unless
 * asked for by name ({@link ExportFilter.includePrivate}). Reads the store from the page,
 * with or without a running worker.
 * @param filter - `{ upstream?, repository?, reference?, includePrivate? }`; a reference is a tag or a digest. Unknown keys throw.
 */
export async function exportBundle(filter?: ExportFilter): Promise<Bundle> {
  return (await bundles()).exportBundle(filter);
}

/**
 * Verifies a bundle and stores what it holds in this origin's store. Every body is hashed
 * and checked against its digest before anything is stored; a record that does not match
 * is refused with `DIGEST_INVALID` (its tags with it), and nothing of it is kept. Records
 * already stored and confirmed as late or later are left as they are. Then the worker is
 * told to drop its in-memory copy of records.
 * @param bundle - The bundle's JSON text, or the parsed value.
 * @param options - `{ ttl?, worker? }`: seconds imported records live (default 604800), and the worker to tell.
 * @throws {@link BundleError} when the bundle is not JSON, not a bundle, or of a version this regcache does not read
 */
export async function importBundle(bundle: string | Bundle, options?: ImportOptions): Promise<ImportReport> {
  return (await bundles()).importBundle(bundle, options);
}

/**
 * Imports the manifests and indexes of an OCI image layout (`skopeo copy … oci:DIR`,
 * `oras copy --to-oci-layout`), as a directory's files or a tar archive, into this origin's
 * store under the upstream and repository given, verified as {@link importBundle} verifies
 * a bundle. Tags come from index.json's `org.opencontainers.image.ref.name` annotations.
 * @param source - A tar `Blob`, or the files of a picked directory (`<input webkitdirectory>`).
 * @param options - `{ upstream, repository, accept?, ttl?, worker? }`: where the manifests go, the `Accept` set of the tags (default: the four manifest types), and {@link ImportOptions}.
 * @throws {@link LayoutError} when the files are not an OCI image layout (version 1.0.0)
 */
export async function importOciLayout(source: LayoutSource, options: LayoutTarget & ImportOptions): Promise<ImportReport> {
  return (await bundles()).importOciLayout(source, options);
}
