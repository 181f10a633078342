// Bundles in the page: exportBundle() reads the origin's store, importBundle() verifies a
// bundle and writes it there, through the worker's own storage modules (the same database,
// schema and running total), then has the worker drop its in-memory copy with a purge that
// matches nothing: the worker gains no code for bundles.

import {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  type Bundle,
  type BundleManifest,
  type BundleTag,
  type RejectedRecord,
  readBundle,
  toBase64,
} from '../core/bundle/format.js';
import { type LayoutReader, type LayoutTarget, layoutToBundle } from '../core/bundle/oci-layout.js';
import { readTar } from '../core/bundle/tar.js';
import { tagRefused, verifyBundle } from '../core/bundle/verify.js';
import { DEFAULTS } from '../core/config.js';
import { acceptKey, acceptTypes } from '../core/http/accept.js';
import type { ClientRequest, PurgeFilter } from '../core/protocol.js';
import { expiryFor } from '../sw/housekeeping/expiry.js';
import type { ManifestRecord, TagRecord } from '../sw/storage/schema.js';
import { ManifestStore } from '../sw/storage/store.js';

/** Which records {@link exportBundle} writes: those matching every given field. */
export interface ExportFilter extends PurgeFilter {
  /**
   * Private records (served by upstream only with credentials, see docs/credentials.md)
   * are left out of every bundle unless this is `true` **and** the filter names both
   * `upstream` and `repository`: they are exported only when asked for by name.
   * @defaultValue false
   */
  includePrivate?: boolean;
}

/** {@link importBundle}'s options. */
export interface ImportOptions {
  /**
   * Seconds an imported record lives, counted from the import: give the worker's `ttl`.
   * `0` = no expiry. A tag's `confirmedAt` keeps the bundle's time, so it is re-checked
   * with upstream as usual unless the worker's `fresh` covers it.
   * @defaultValue 604800 (7 days, the worker's default)
   */
  ttl?: number;
  /**
   * The worker whose in-memory copy of records is dropped after the import.
   * @defaultValue this origin's active worker, if there is one
   */
  worker?: ServiceWorker;
}

/** What {@link importBundle} did. */
export interface ImportReport {
  /** Manifests written. */
  manifests: number;
  /** Tags written. */
  tags: number;
  /** Records not written because the store already held them, confirmed as late or later. */
  unchanged: number;
  /** Records refused; nothing of a refused record was stored. */
  rejected: RejectedRecord[];
}

export type { Bundle, BundleHeaders, BundleManifest, BundleTag, RejectedRecord } from '../core/bundle/format.js';
export { BUNDLE_FORMAT, BUNDLE_VERSION, BundleError } from '../core/bundle/format.js';

// One connection for every call from this page. It steps aside when a newer worker
// upgrades the database (store.ts).
let shared: ManifestStore | undefined;
const store = () => {
  // No in-memory copy here: the worker writes the database too, and a page's copy would go stale.
  shared ??= new ManifestStore(0, 0);
  return shared;
};

const FILTER_KEYS = new Set(['upstream', 'repository', 'reference', 'includePrivate']);

function checkFilter(filter: ExportFilter): void {
  for (const [key, value] of Object.entries(filter)) {
    if (!FILTER_KEYS.has(key)) throw new TypeError(`exportBundle(): unknown filter key "${key}" (known: ${[...FILTER_KEYS].join(', ')})`);
    if (key === 'includePrivate' ? typeof value !== 'boolean' && value !== undefined : typeof value !== 'string' && value !== undefined) {
      throw new TypeError(`exportBundle(): "${key}" must be a ${key === 'includePrivate' ? 'boolean' : 'string'}`);
    }
  }
  if (filter.includePrivate && (filter.upstream === undefined || filter.repository === undefined)) {
    throw new TypeError('exportBundle(): includePrivate needs the upstream and the repository named');
  }
}

const named = (f: ExportFilter, r: { upstream: string; repository: string }) =>
  (f.upstream === undefined || f.upstream === r.upstream) && (f.repository === undefined || f.repository === r.repository);

// exportBundle() and importBundle() of regcache/client (index.ts), which load this module
// on first use: it brings the storage modules and idb along.
export async function exportBundle(filter: ExportFilter = {}): Promise<Bundle> {
  checkFilter(filter);
  const s = store();
  const wantPrivate = filter.includePrivate === true;
  const entries = (await s.entries()).filter((e) => named(filter, e));
  const tags: BundleTag[] = [];
  const wanted = new Map<string, [string, string, string]>();
  const want = (upstream: string, repository: string, digest: string) =>
    wanted.set(JSON.stringify([upstream, repository, digest]), [upstream, repository, digest]);
  for (const e of entries) {
    if (filter.reference !== undefined && filter.reference !== e.reference) continue;
    if (e.kind === 'manifest') {
      want(e.upstream, e.repository, e.digest);
      continue;
    }
    const t = await s.getTag([e.upstream, e.repository, e.reference, e.accept ?? '']);
    if (!t || (t.private && !wantPrivate)) continue;
    tags.push({
      upstream: t.upstream,
      repository: t.repository,
      tag: t.tag,
      accept: acceptTypes(t.accept),
      digest: t.digest,
      fetchedAt: t.fetchedAt,
      confirmedAt: t.confirmedAt,
      private: t.private,
    });
    want(t.upstream, t.repository, t.digest);
  }
  const manifests: BundleManifest[] = [];
  for (const key of wanted.values()) {
    const m = await s.getManifest(key);
    if (!m || (m.private && !wantPrivate)) continue;
    manifests.push({
      upstream: m.upstream,
      repository: m.repository,
      digest: m.digest,
      mediaType: m.mediaType,
      body: toBase64(new Uint8Array(m.body)),
      headers: { ...m.headers },
      fetchedAt: m.fetchedAt,
      confirmedAt: m.confirmedAt,
      private: m.private,
    });
  }
  const exported = new Set(manifests.map((m) => JSON.stringify([m.upstream, m.repository, m.digest])));
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    createdAt: Date.now(),
    manifests,
    // A public tag of a private manifest stays out with it.
    tags: tags.filter((t) => exported.has(JSON.stringify([t.upstream, t.repository, t.digest]))),
  };
}

async function dropWorkerMemory(worker: ServiceWorker | undefined): Promise<void> {
  const target = worker ?? (await navigator.serviceWorker?.getRegistration())?.active ?? undefined;
  if (!target) return;
  // A purge drops the worker's whole in-memory copy (store.ts); this one deletes nothing,
  // since no upstream is the empty string. It costs the worker no code of its own.
  const request: ClientRequest = { type: 'purge', filter: { upstream: '' } };
  await new Promise<void>((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(resolve, 10_000);
    channel.port1.onmessage = () => {
      clearTimeout(timer);
      channel.port1.close();
      resolve();
    };
    target.postMessage({ regcache: request }, [channel.port2]);
  });
}

export async function importBundle(bundle: string | Bundle, options: ImportOptions = {}): Promise<ImportReport> {
  const ttl = options.ttl ?? DEFAULTS.ttl;
  if (!Number.isSafeInteger(ttl) || ttl < 0)
    throw new TypeError(`importBundle(): ttl must be a whole number of seconds, got ${String(ttl)}`);
  const verified = await verifyBundle(readBundle(bundle));
  const s = store();
  const now = Date.now();
  const expiresAt = expiryFor(now, ttl);
  // A time in the future would keep a tag "fresh" for ever.
  const past = (t: number) => Math.min(t, now);
  const report: ImportReport = { manifests: 0, tags: 0, unchanged: 0, rejected: verified.rejected };
  const privateManifests = new Set<string>();
  for (const m of verified.manifests) {
    const record: ManifestRecord = {
      upstream: m.upstream,
      repository: m.repository,
      digest: m.digest,
      mediaType: m.mediaType,
      body: m.body.buffer,
      headers: { ...m.headers },
      size: m.body.byteLength,
      fetchedAt: past(m.fetchedAt),
      confirmedAt: past(m.confirmedAt),
      expiresAt,
      lastUsed: now,
      private: m.private,
    };
    const held = await s.getManifest([m.upstream, m.repository, m.digest]);
    if (held?.private || m.private) privateManifests.add(JSON.stringify([m.upstream, m.repository, m.digest]));
    // A record held as public stays public: the bundle cannot make it private, nor the reverse.
    if (held && held.confirmedAt >= record.confirmedAt) report.unchanged++;
    else if (await s.put({ ...record, private: m.private || (held?.private ?? false) }, null)) report.manifests++;
  }
  for (const t of verified.tags) {
    const key = acceptKey(t.accept);
    const held = await s.getTag([t.upstream, t.repository, t.tag, key]);
    const record: TagRecord = {
      upstream: t.upstream,
      repository: t.repository,
      tag: t.tag,
      accept: key,
      digest: t.digest,
      fetchedAt: past(t.fetchedAt),
      confirmedAt: past(t.confirmedAt),
      expiresAt,
      lastUsed: now,
      private:
        t.private ||
        held?.private === true ||
        privateManifests.has(JSON.stringify([t.upstream, t.repository, t.digest])) ||
        (await s.getManifest([t.upstream, t.repository, t.digest]))?.private === true,
    };
    if (held && held.confirmedAt >= record.confirmedAt) report.unchanged++;
    else if (await s.put(null, record)) report.tags++;
    else report.rejected.push(tagRefused(t, 'is neither in the bundle nor stored'));
  }
  if (report.manifests + report.tags > 0) await dropWorkerMemory(options.worker);
  return report;
}

/** An OCI image layout as a page gets it: a tar archive, or a directory's files (`<input webkitdirectory>`). */
export type LayoutSource = Blob | Iterable<File> | ArrayLike<File>;

// Files of a picked directory are named by webkitRelativePath, "<dir>/index.json".
function layoutReader(source: LayoutSource): Promise<LayoutReader> | LayoutReader {
  if (source instanceof Blob && !(source instanceof File && source.webkitRelativePath)) {
    return source.arrayBuffer().then((buffer) => {
      const files = readTar(new Uint8Array(buffer));
      return async (path: string) => (files.get(path) as Uint8Array<ArrayBuffer> | undefined) ?? null;
    });
  }
  const byPath = new Map<string, File>();
  for (const file of Array.from(source as ArrayLike<File>)) {
    const relative = file.webkitRelativePath || file.name;
    byPath.set(relative.includes('/') ? relative.slice(relative.indexOf('/') + 1) : relative, file);
  }
  return async (path: string) => {
    const file = byPath.get(path);
    return file ? new Uint8Array(await file.arrayBuffer()) : null;
  };
}

export async function importOciLayout(source: LayoutSource, options: LayoutTarget & ImportOptions): Promise<ImportReport> {
  const { upstream, repository, accept, ...importOptions } = options;
  const bundle = await layoutToBundle(await layoutReader(source), { upstream, repository, ...(accept ? { accept } : {}) });
  return importBundle(bundle, importOptions);
}
