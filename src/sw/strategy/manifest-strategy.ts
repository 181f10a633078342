// Where each manifest request is decided: served from the store, re-checked, or fetched.

import type { RegcacheConfig } from '../../core/config.js';
import { acceptKey, accepts, mediaTypeOf, parseAccept } from '../../core/http/accept.js';
import type { CacheStatus, ForwardReason } from '../../core/http/cache-status.js';
import { isCanonicalDigest } from '../../core/oci/digest.js';
import type { ManifestTarget } from '../../core/oci/grammar.js';
import { isSchema1, unstorableReason } from '../../core/oci/media-types.js';
import { type Clock, expiryFor, isLive, secondsLeft } from '../housekeeping/expiry.js';
import type { Events } from '../reporting/events.js';
import type { Stats } from '../reporting/stats.js';
import type { Recency } from '../storage/recency.js';
import { type SaveMaintenance, save } from '../storage/save.js';
import type { ManifestRecord, StoredHeaders, TagRecord } from '../storage/schema.js';
import { type ManifestStore, manifestKey, tagKey } from '../storage/store.js';
import { InFlight } from '../upstream/coalesce.js';
import { callUpstream, MANIFEST_LIMIT, RetryAfterGate, readBody, retryAfterSeconds, UpstreamError } from '../upstream/upstream.js';
import { answerFromRecord, ociError, passThrough, snapshotHeaders, type UpstreamAnswer } from './answers.js';
import { couldCarryCredentials, credentialKey } from './credentials.js';
import { verify } from './verify.js';

// One page request, with what decides its answer pulled out of the headers.
interface Ask {
  method: 'GET' | 'HEAD';
  target: ManifestTarget;
  acceptHeader: string | null;
  accept: readonly string[];
  acceptKey: string;
  authorization: string | null;
  credentials: RequestCredentials;
  // Whether cookies, HTTP auth or an Authorization header could ride on it (credentials.ts).
  credentialed: boolean;
  ifNoneMatch: string | null;
  noStore: boolean;
  noCache: boolean;
}

// The result of one upstream GET, shared by every request collapsed onto it.
type Fetched =
  | { kind: 'record'; record: ManifestRecord; stored: boolean }
  | { kind: 'pass'; answer: UpstreamAnswer }
  | { kind: 'invalid'; message: string; detail: Record<string, string> }
  | { kind: 'failed'; error: UpstreamError };

// The result of one HEAD re-check.
type Recheck = { kind: 'answer'; answer: UpstreamAnswer } | { kind: 'failed' };

export interface StrategyOptions {
  config: RegcacheConfig;
  store: ManifestStore;
  stats: Stats;
  recency: Recency;
  maintenance: SaveMaintenance;
  events: Events;
  now: Clock;
  // The worker's own origin, where 'same-origin' requests carry cookies. Default: self's.
  ownOrigin?: string;
}

function cacheControlHas(request: Request, directive: string): boolean {
  const value = request.headers.get('Cache-Control') ?? '';
  return value.split(',').some((d) => d.trim().toLowerCase() === directive);
}

const CONDITIONAL = ['If-None-Match', 'If-Modified-Since', 'If-Unmodified-Since', 'If-Match', 'If-Range'];

// Whether the page asked for no-store. Firefox hands the worker a request whose cache mode
// is already 'no-store' when it carries a conditional header (Fetch's HTTP-network-or-cache
// step, applied before the worker sees it), so there the mode says nothing of the page's
// wish; Chromium leaves it 'default'. The header is the page's word either way.
export function requestsNoStore(request: Request): boolean {
  if (cacheControlHas(request, 'no-store')) return true;
  return request.cache === 'no-store' && !CONDITIONAL.some((h) => request.headers.has(h));
}

// The headers a record keeps are repeated on every hit but not counted in maxBytes, so a
// hostile upstream could hide megabytes in an Etag. Real ones are a digest long.
const KEPT_HEADER_LIMIT = 1024;

// A record that needs upstream's word before each request it is served to (contract §3a).
function isPrivate(record: ManifestRecord, tag: TagRecord | null): boolean {
  return record.private || tag?.private === true;
}

function headerOf(answer: UpstreamAnswer, name: string): string | null {
  const found = answer.headers.find(([n]) => n.toLowerCase() === name);
  return found ? found[1] : null;
}

export class ManifestStrategy {
  private readonly config: RegcacheConfig;
  private readonly store: ManifestStore;
  private readonly stats: Stats;
  private readonly now: Clock;
  private readonly gate = new RetryAfterGate();
  private readonly fetches = new InFlight<Fetched>();
  private readonly rechecks = new InFlight<Recheck>();
  private readonly vouched = new Map<string, number>();

  constructor(private readonly o: StrategyOptions) {
    this.config = o.config;
    this.store = o.store;
    this.stats = o.stats;
    this.now = o.now;
  }

  handle(request: Request, target: ManifestTarget): Promise<Response> {
    const acceptHeader = request.headers.get('Accept');
    const accept = parseAccept(acceptHeader);
    const authorization = request.headers.get('Authorization');
    const credentials = request.credentials;
    const ownOrigin = this.o.ownOrigin ?? globalThis.location?.origin ?? '';
    const ask: Ask = {
      method: request.method === 'HEAD' ? 'HEAD' : 'GET',
      target,
      acceptHeader,
      accept,
      acceptKey: acceptKey(accept),
      authorization,
      credentials,
      credentialed: couldCarryCredentials({ upstream: target.upstream, authorization, credentials }, ownOrigin),
      ifNoneMatch: request.headers.get('If-None-Match'),
      noStore: requestsNoStore(request),
      noCache: request.cache === 'no-cache' || request.cache === 'reload' || cacheControlHas(request, 'no-cache'),
    };
    this.stats.bump('requests');
    return target.isDigest ? this.byDigest(ask) : this.byTag(ask);
  }

  private async byDigest(ask: Ask): Promise<Response> {
    const { target } = ask;
    const found = ask.noStore ? null : await this.servable(ask, target.reference);
    if (!found?.record) return this.miss(ask, ask.noStore ? 'request' : (found?.reason ?? 'miss'));
    const record = found.record;
    if (!isPrivate(record, null) || this.vouchedFor(ask)) return this.hit(ask, record, null, {});

    const asked = await this.askUpstream(ask, record, null);
    if ('response' in asked) return asked.response;
    const confirmed = asked.digest === record.digest ? await this.confirm(record, null) : record;
    return this.hit(ask, confirmed, null, { detail: 'revalidated' });
  }

  private async byTag(ask: Ask): Promise<Response> {
    const { target } = ask;
    const now = this.now();
    const tag = ask.noStore ? undefined : await this.store.getTag([target.upstream, target.repository, target.reference, ask.acceptKey]);
    const found = tag && isLive(tag, now) ? await this.servable(ask, tag.digest) : null;
    if (!tag || !found?.record) {
      return this.miss(ask, ask.noStore ? 'request' : (found?.reason ?? (tag ? 'stale' : 'miss')));
    }
    const record = found.record;
    const fresh = !ask.noCache && now - tag.confirmedAt < this.config.fresh * 1000;
    if (fresh && (!isPrivate(record, tag) || this.vouchedFor(ask))) return this.hit(ask, record, tag, {});

    const asked = await this.askUpstream(ask, record, tag);
    if ('response' in asked) return asked.response;
    const { digest, answer } = asked;
    if (digest === tag.digest) {
      const confirmed = await this.confirm(record, tag);
      return this.hit(ask, confirmed, tag, { detail: 'revalidated' });
    }
    if (digest) {
      const { upstream, repository, reference } = target;
      this.o.events.emit({ type: 'tag-moved', upstream, repository, tag: reference, from: tag.digest, to: digest });
    }
    const moved = digest ? await this.servable(ask, digest) : null;
    if (moved?.record) {
      // The tag moved to content already stored: repoint it, no body needed.
      const confirmed = await this.confirm(moved.record, null);
      const repointed = this.tagRecord(ask, confirmed);
      await save(this.store, this.o.maintenance, null, repointed);
      return this.hit(ask, confirmed, repointed, { detail: 'revalidated' });
    }
    // A HEAD asks for no body, so it costs no pull: pass upstream's headers through.
    if (ask.method === 'HEAD') return passThrough(answer, 'HEAD', { fwd: 'stale' });
    if (!digest) return this.miss(ask, 'stale');
    const byDigest = await this.fetch(ask, digest);
    // Some registries only serve a tag's variant by tag: fall back to that.
    if (byDigest.fetched.kind === 'pass' && byDigest.fetched.answer.status === 404) return this.miss(ask, 'stale');
    return this.respond(ask, byDigest.fetched, 'stale', byDigest.joined);
  }

  // Re-checks a stored answer with a HEAD carrying the request's own Accept and
  // Authorization. Failures and refusals are answered here; a 2xx hands back the digest
  // upstream named for the caller to decide on.
  private async askUpstream(
    ask: Ask,
    record: ManifestRecord,
    tag: TagRecord | null,
  ): Promise<{ response: Response } | { digest: string | null; answer: UpstreamAnswer }> {
    const { target } = ask;
    // Only a record anyone may read is served on upstream's HTTP failure: a private one
    // only when upstream cannot be reached at all, since any answer may be a refusal.
    const shared = !isPrivate(record, tag);
    const stale = (fwdStatus?: number) => ({ response: this.hit(ask, record, tag, { detail: 'stale', fwdStatus }) });
    const blockedUntil = this.gate.blockedUntil(target.upstream, this.now());
    if (blockedUntil !== null) return shared ? stale(429) : { response: this.rateLimited(blockedUntil, { detail: 'retry-after' }) };

    const recheck = await this.recheck(ask);
    if (recheck.kind === 'failed') return stale();
    const { answer } = recheck;
    if (answer.status === 429) {
      const until = this.gate.block(target.upstream, headerOf(answer, 'retry-after'), this.now());
      if (shared) return stale(429);
      // Asking again as a GET would spend a pull on a registry that just said to wait.
      if (ask.method === 'GET') return { response: this.rateLimited(until, { fwd: 'stale', fwdStatus: 429 }) };
    }
    if (answer.status >= 500 && shared) return stale(answer.status);
    // Upstream no longer serves this Accept set the tag: drop that variant only. Others may
    // still exist (distribution answers 404 to an OCI manifest asked without OCI types).
    if (answer.status === 404 && tag) await this.store.dropTag(tagKey(tag));
    if (answer.status < 200 || answer.status > 299) {
      // 401, 403, 404 and the like: the page gets exactly what upstream says, body
      // included, so a GET is asked again as a GET.
      const response =
        ask.method === 'HEAD' ? passThrough(answer, 'HEAD', { fwd: 'stale', fwdStatus: answer.status }) : await this.miss(ask, 'stale');
      return { response };
    }
    this.vouch(ask);
    // The digest named here may be fetched next, with the page's credentials: only a
    // canonical one goes into a URL. Without one, the caller fetches by tag.
    const named = headerOf(answer, 'docker-content-digest');
    return { digest: named && isCanonicalDigest(named) ? named : null, answer };
  }

  // Upstream said to wait (until `until`, or for an unknown time when null) and a private
  // record may not be served instead: say so as a registry would. Not forwarded while the
  // gate holds, hence detail=retry-after there.
  private rateLimited(until: number | null, status: CacheStatus): Response {
    const wait = until === null ? null : retryAfterSeconds(until, this.now());
    const headers: Record<string, string> = wait === null ? {} : { 'Retry-After': String(wait) };
    return ociError(429, 'TOOMANYREQUESTS', 'upstream asked for no more requests for now', {}, status, headers);
  }

  private vouchKey(ask: Ask): string {
    return [ask.target.upstream, ask.target.repository, credentialKey(ask)].join('\n');
  }

  // Upstream just served this repository to these credentials; within the fresh window
  // a private record needs no new HEAD for them. Kept in memory only, never stored.
  private vouch(ask: Ask): void {
    if (this.config.fresh === 0) return;
    if (this.vouched.size >= 1_000) this.vouched.clear();
    this.vouched.set(this.vouchKey(ask), this.now());
  }

  private vouchedFor(ask: Ask): boolean {
    const at = this.vouched.get(this.vouchKey(ask));
    return at !== undefined && !ask.noCache && this.now() - at < this.config.fresh * 1000;
  }

  // A stored manifest this request may be given, or why there is none.
  private async servable(ask: Ask, digest: string): Promise<{ record?: ManifestRecord; reason: ForwardReason }> {
    const { upstream, repository } = ask.target;
    const record = await this.store.getManifest([upstream, repository, digest]);
    if (!record || !isLive(record, this.now())) return { reason: record ? 'stale' : 'miss' };
    // Upstream chooses by Accept; a type the client did not list is not ours to serve.
    if (!accepts(ask.accept, record.mediaType)) return { reason: 'vary-miss' };
    return { record, reason: 'miss' };
  }

  private hit(ask: Ask, record: ManifestRecord, tag: TagRecord | null, extra: Omit<CacheStatus, 'hit' | 'ttl'>): Response {
    const now = this.now();
    this.o.recency.used(record, tag, now);
    this.stats.bump(extra.detail === 'stale' ? 'stale' : 'hits');
    this.served(ask, record.size);
    return answerFromRecord(record, ask, { hit: true, ...extra, ttl: secondsLeft(record, now) });
  }

  private served(ask: Ask, bytes: number): void {
    if (ask.method === 'GET') this.stats.bump('bytesServed', bytes);
  }

  private async confirm(record: ManifestRecord, tag: TagRecord | null): Promise<ManifestRecord> {
    const confirmedAt = this.now();
    const expiresAt = expiryFor(confirmedAt, this.config.ttl);
    await this.store.confirm(manifestKey(record), tag ? tagKey(tag) : null, confirmedAt, expiresAt);
    return { ...record, confirmedAt, expiresAt };
  }

  private async miss(ask: Ask, reason: ForwardReason): Promise<Response> {
    this.stats.bump('misses');
    if (ask.method === 'HEAD') {
      const { result, joined } = this.rechecks.run(this.flightKey('HEAD', ask, ask.target.reference), () =>
        this.head(ask, ask.target.reference),
      );
      const recheck = await result;
      if (recheck.kind === 'failed') return Response.error();
      return passThrough(recheck.answer, 'HEAD', { fwd: reason, fwdStatus: recheck.answer.status, collapsed: joined });
    }
    const { fetched, joined } = await this.fetch(ask, ask.target.reference);
    return this.respond(ask, fetched, reason, joined);
  }

  private respond(ask: Ask, fetched: Fetched, fwd: ForwardReason, collapsed: boolean): Response {
    switch (fetched.kind) {
      case 'record':
        this.served(ask, fetched.record.size);
        return answerFromRecord(fetched.record, ask, {
          fwd,
          stored: fetched.stored,
          collapsed,
          ttl: fetched.stored ? secondsLeft(fetched.record, this.now()) : undefined,
        });
      case 'pass':
        this.served(ask, fetched.answer.body?.byteLength ?? 0);
        return passThrough(fetched.answer, ask.method, {
          fwd,
          fwdStatus: fetched.answer.status,
          collapsed,
          detail: fetched.answer.status < 300 ? 'not-stored' : undefined,
        });
      case 'invalid':
        return ociError(502, 'DIGEST_INVALID', fetched.message, fetched.detail, { fwd, collapsed });
      case 'failed':
        // No answer at all: without the worker the page would have seen a network error too.
        if (fetched.error.kind === 'network') return Response.error();
        // An answer started but could not be taken whole: say what went wrong.
        return ociError(502, 'MANIFEST_INVALID', `upstream answer failed: ${fetched.error.message}`, {}, { fwd, collapsed });
    }
  }

  private flightKey(method: string, ask: Ask, reference: string): string {
    const { upstream, repository } = ask.target;
    return [method, upstream, repository, reference, ask.acceptKey, credentialKey(ask), ask.noStore].join('\n');
  }

  private manifestUrl(ask: Ask, reference: string): string {
    return `${ask.target.upstream}/v2/${ask.target.repository}/manifests/${reference}`;
  }

  // Asks upstream with the request's own Accept and credentials.
  private call(ask: Ask, method: 'GET' | 'HEAD', reference: string, timeoutMs?: number): Promise<Response> {
    this.stats.bump(method === 'GET' ? 'upstreamGets' : 'upstreamHeads');
    const { acceptHeader: accept, authorization, credentials } = ask;
    return callUpstream({ url: this.manifestUrl(ask, reference), method, accept, authorization, credentials, timeoutMs });
  }

  private async head(ask: Ask, reference: string, timeoutMs?: number): Promise<Recheck> {
    try {
      const response = await this.call(ask, 'HEAD', reference, timeoutMs);
      const answer = { status: response.status, statusText: response.statusText, headers: snapshotHeaders(response), body: null };
      return { kind: 'answer', answer };
    } catch {
      return { kind: 'failed' };
    }
  }

  private recheck(ask: Ask): Promise<Recheck> {
    this.stats.bump('rechecks');
    const key = this.flightKey('RECHECK', ask, ask.target.reference);
    return this.rechecks.run(key, () => this.head(ask, ask.target.reference, this.config.timeout)).result;
  }

  private async fetch(ask: Ask, reference: string): Promise<{ fetched: Fetched; joined: boolean }> {
    const { result, joined } = this.fetches.run(this.flightKey('GET', ask, reference), () => this.fetchAndStore(ask, reference));
    return { fetched: await result, joined };
  }

  private async fetchAndStore(ask: Ask, reference: string): Promise<Fetched> {
    const { target } = ask;
    let response: Response;
    let body: Uint8Array<ArrayBuffer>;
    try {
      response = await this.call(ask, 'GET', reference);
      body = await readBody(response, this.config.timeout);
      this.stats.bump('bytesPulled', body.byteLength);
    } catch (error) {
      const failure = error instanceof UpstreamError ? error : new UpstreamError('network', String(error));
      return { kind: 'failed', error: failure };
    }
    const answer: UpstreamAnswer = {
      status: response.status,
      statusText: response.statusText,
      headers: snapshotHeaders(response),
      body,
    };
    const pass: Fetched = { kind: 'pass', answer };
    const byDigest = reference.includes(':');
    if (!response.ok) {
      // Only this Accept set's variant is known to be gone (see askUpstream).
      if (response.status === 404 && !byDigest) {
        await this.store.dropTag([target.upstream, target.repository, target.reference, ask.acceptKey]);
      }
      return pass;
    }

    const contentType = response.headers.get('Content-Type') ?? '';
    const mediaType = mediaTypeOf(contentType);
    if (isSchema1(mediaType)) return pass;

    const sentDigest = response.headers.get('Docker-Content-Digest');
    // A digest that is not canonical is no key and no claim to check: as if absent, so the
    // digest comes from the body (upper-case hex would otherwise key a duplicate record).
    const headerDigest = sentDigest !== null && isCanonicalDigest(sentDigest) ? sentDigest : null;
    const verified = await verify(body, reference, headerDigest);
    if (!verified.ok) {
      this.stats.bump('verificationFailures');
      return { kind: 'invalid', message: verified.message, detail: { url: this.manifestUrl(ask, reference), ...verified.detail } };
    }
    const { digest } = verified;

    const responseNoStore = (response.headers.get('Cache-Control') ?? '').toLowerCase().includes('no-store');
    // A redirect may lead anywhere: what it served is passed on, never kept for this URL.
    const headers: StoredHeaders = {
      contentType,
      dockerContentDigest: sentDigest,
      etag: response.headers.get('Etag'),
      apiVersion: response.headers.get('Docker-Distribution-Api-Version'),
    };
    const headersFit = Object.values(headers).every((value) => (value?.length ?? 0) <= KEPT_HEADER_LIMIT);
    const keep = !ask.noStore && !responseNoStore && !response.redirected && body.byteLength <= MANIFEST_LIMIT && headersFit;
    if (!keep || unstorableReason(mediaType, body)) {
      return pass;
    }

    const now = this.now();
    const expiresAt = expiryFor(now, this.config.ttl);
    const record: ManifestRecord = {
      upstream: target.upstream,
      repository: target.repository,
      digest,
      mediaType,
      // A copy with its own buffer, so the stored bytes are exactly the body's.
      body: body.slice().buffer as ArrayBuffer,
      headers,
      size: body.byteLength,
      fetchedAt: now,
      confirmedAt: now,
      expiresAt,
      lastUsed: now,
      private: ask.credentialed && !(await this.servedAnonymously(ask, reference, digest)),
    };
    const tag = target.isDigest ? null : this.tagRecord(ask, record);
    const stored = await save(this.store, this.o.maintenance, record, tag);
    return { kind: 'record', record, stored };
  }

  private tagRecord(ask: Ask, manifest: ManifestRecord): TagRecord {
    const { upstream, repository, reference } = ask.target;
    return {
      upstream,
      repository,
      tag: reference,
      accept: ask.acceptKey,
      digest: manifest.digest,
      fetchedAt: manifest.fetchedAt,
      confirmedAt: manifest.confirmedAt,
      expiresAt: manifest.expiresAt,
      lastUsed: this.now(),
      private: manifest.private || ask.credentialed,
    };
  }

  // Whether upstream serves this content to a request that carries no credentials at all:
  // one HEAD (no pull), without Authorization, cookies or HTTP auth. Only then may a record
  // fetched with credentials be public.
  private async servedAnonymously(ask: Ask, reference: string, digest: string): Promise<boolean> {
    const anonymous: Ask = { ...ask, authorization: null, credentials: 'omit', credentialed: false };
    const head = await this.head(anonymous, reference, this.config.timeout);
    if (head.kind === 'failed' || head.answer.status < 200 || head.answer.status > 299) return false;
    // By tag, the tag must lead to the same content; by digest, a 2xx names it already.
    const named = headerOf(head.answer, 'docker-content-digest');
    return named === digest || (reference === digest && named === null);
  }

  // PUT, DELETE and other writes go upstream untouched; success invalidates the reference.
  async write(request: Request, target: ManifestTarget): Promise<Response> {
    const response = await fetch(request);
    if (response.ok) {
      const { upstream, repository, reference } = target;
      if (target.isDigest) await this.store.dropManifest([upstream, repository, reference]);
      else await this.store.dropTagVariants(upstream, repository, reference);
    }
    return response;
  }
}
