// Where each manifest request is decided: served from the store, re-checked, or fetched.
// The decisions produce a Reply; handle() alone drops what it says is gone, counts it and
// builds the Response.

import type { RegcacheConfig } from '../../core/config.js';
import { accepts, mediaTypeOf } from '../../core/http/accept.js';
import type { CacheStatus, ForwardReason } from '../../core/http/cache-status.js';
import { isCanonicalDigest } from '../../core/oci/digest.js';
import type { ManifestTarget } from '../../core/oci/grammar.js';
import { isSchema1 } from '../../core/oci/media-types.js';
import { type Clock, expiryFor, isLive, secondsLeft } from '../housekeeping/expiry.js';
import type { Events } from '../reporting/events.js';
import type { Stats } from '../reporting/stats.js';
import { manifestKey, tagKey } from '../storage/keys.js';
import type { Recency } from '../storage/recency.js';
import { type SaveMaintenance, save } from '../storage/save.js';
import type { ManifestKey, ManifestRecord, TagKey, TagRecord } from '../storage/schema.js';
import { manifestUrl, type UpstreamAnswer, UpstreamCalls } from '../upstream/calls.js';
import { InFlight } from '../upstream/coalesce.js';
import { RetryAfterGate, retryAfterSeconds, UpstreamError } from '../upstream/upstream.js';
import { ociError, type Reply, render } from './answers.js';
import { type Ask, readAsk } from './ask.js';
import { credentialKey } from './credentials.js';
import { headerOf, type Recheck, readRecheck } from './recheck.js';
import { keptHeaders, manifestRecord, tagRecord } from './records.js';
import { afterRevalidation, withinSwr } from './swr.js';
import { tally } from './tally.js';
import { verify } from './verify.js';

/** What the strategy needs of storage. ManifestStore is one; the unit tests use one in memory. */
export interface StrategyStore {
  getManifest(key: ManifestKey): Promise<ManifestRecord | undefined>;
  getTag(key: TagKey): Promise<TagRecord | undefined>;
  /**
   * Stores both or neither; a tag alone only while its manifest is stored, and with
   * `overStored` only while a record with the tag's key is stored. Throws StorageFullError
   * on a full quota.
   */
  put(manifest: ManifestRecord | null, tag: TagRecord | null, overStored?: boolean): Promise<boolean>;
  /** Drops one Accept variant of a tag. */
  dropTag(key: TagKey): Promise<boolean>;
  /** Drops every Accept variant of a tag. */
  dropTagVariants(upstream: string, repository: string, tag: string): Promise<boolean>;
  /** Drops a manifest and every tag pointing at it. */
  dropManifest(key: ManifestKey): Promise<boolean>;
}

// The result of one upstream GET, shared by every request collapsed onto it.
type Fetched =
  | { kind: 'record'; record: ManifestRecord; stored: boolean }
  | { kind: 'pass'; answer: UpstreamAnswer }
  | { kind: 'invalid'; message: string; detail: Record<string, string> }
  | { kind: 'failed'; error: UpstreamError };

// Re-check outcomes that do not vouch for the stored content.
type Unconfirmed = Exclude<Recheck, { kind: 'confirmed' | 'moved' }>;

export interface StrategyOptions {
  config: RegcacheConfig;
  store: StrategyStore;
  stats: Pick<Stats, 'bump'>;
  // Where uses and confirmations go: applied at once in memory, written after the answer.
  recency: Pick<Recency, 'used' | 'extend'>;
  maintenance: SaveMaintenance;
  events: Pick<Events, 'emit'>;
  now: Clock;
  // The worker's own origin, where 'same-origin' requests carry cookies. Default: self's.
  ownOrigin?: string;
}

// An answer regcache made itself (`status`: its Cache-Status, also what it counts as).
function made(response: Response, status: CacheStatus): Reply {
  return { kind: 'made', response, status };
}

// A background re-check (`swr`) waits until no manifest request has arrived for QUIET_MS,
// but no longer than QUIET_ROUNDS of it: its HEAD costs CPU in the browser's network stack
// (and on a local upstream), which would otherwise slow the next answers of a burst or a
// sequence by about half (docs/performance.md). Requests meanwhile share the waiting check,
// which, sent after them, sees any move made before them.
const QUIET_MS = 20;
const QUIET_ROUNDS = 25;

// A record that needs upstream's word before each request it is served to (contract §3a).
function isPrivate(record: ManifestRecord, tag: TagRecord | null): boolean {
  return record.private || tag?.private === true;
}

/** Decides and answers manifest requests: the worker's route handlers call it. */
export class ManifestStrategy {
  // Members are #private rather than TypeScript-private: the minifier shortens #names only,
  // and the worker has a size budget. `recheck` stays a method the bench's probe can time.
  readonly #o: StrategyOptions;
  readonly #config: RegcacheConfig;
  readonly #store: StrategyStore;
  readonly #now: Clock;
  readonly #upstream: UpstreamCalls;
  readonly #gate = new RetryAfterGate();
  readonly #fetches = new InFlight<Fetched>();
  // The same GETs keyed without credentials: requests with other credentials may share them.
  readonly #pulls = new InFlight<Fetched>();
  readonly #heads = new InFlight<UpstreamAnswer | null>();
  readonly #vouched = new Map<string, number>();
  readonly #revalidations = new InFlight<void>();
  // When the latest manifest request arrived (Date.now(), ms); set before any re-check.
  #last!: number;

  constructor(o: StrategyOptions) {
    this.#o = o;
    this.#config = o.config;
    this.#store = o.store;
    this.#now = o.now;
    this.#upstream = new UpstreamCalls(o.stats);
  }

  /**
   * Answers a manifest GET or HEAD for `target` (contract §2–§4). `waitUntil` is handed work
   * that outlives the answer (a background re-check, `swr`), as a fetch event's is.
   */
  async handle(
    request: Request,
    target: ManifestTarget,
    waitUntil = (work: Promise<void>): void => void work.catch(() => {}),
  ): Promise<Response> {
    this.#last = Date.now();
    const ask = readAsk(request, target, this.#o.ownOrigin ?? location.origin);
    const reply = await (target.isDigest ? this.#byDigest(ask) : this.#byTag(ask, waitUntil));
    // Upstream no longer serves this Accept set the tag: drop that variant only. Others may
    // still exist (distribution answers 404 to an OCI manifest asked without OCI types).
    if (!target.isDigest && reply.kind === 'pass' && reply.answer.status === 404) await this.#drop(target, ask.acceptKey);
    tally(this.#o.stats, ask.method, reply);
    return render(reply, ask);
  }

  async #byDigest(ask: Ask): Promise<Reply> {
    const found = ask.noStore ? null : await this.#servable(ask, ask.wanted.reference);
    if (!found?.record) return this.#miss(ask, ask.noStore ? 'request' : (found?.reason ?? 'miss'));
    const record = found.record;
    if (!isPrivate(record, null) || this.#vouchedFor(ask)) return this.#hit(record, null, {});

    const recheck = await this.recheck(ask, record.digest);
    if (recheck.kind !== 'confirmed' && recheck.kind !== 'moved') return this.#unconfirmed(ask, recheck, record, null);
    // Upstream accepted these credentials; only a HEAD naming the digest extends its life.
    const confirmed = recheck.kind === 'confirmed' ? this.#confirm(record, null) : record;
    return this.#hit(confirmed, null, { detail: 'revalidated' });
  }

  // `waitUntil` null: this is a background re-check, which serves nobody and tells the
  // pages only once the store holds the outcome (#revalidate).
  async #byTag(ask: Ask, waitUntil: ((work: Promise<void>) => void) | null): Promise<Reply> {
    const now = this.#now();
    const { upstream, repository, reference } = ask.wanted;
    const tag = ask.noStore ? undefined : await this.#store.getTag([upstream, repository, reference, ask.acceptKey]);
    const found = tag && isLive(tag, now) ? await this.#servable(ask, tag.digest) : null;
    if (!tag || !found?.record) {
      // A background re-check whose tag went meanwhile (purged, swept, dropped by a write)
      // has nothing left to check: fetching it would undo the drop.
      if (!waitUntil) return made(Response.error(), {});
      return this.#miss(ask, ask.noStore ? 'request' : (found?.reason ?? (tag ? 'stale' : 'miss')));
    }
    const record = found.record;
    const fresh = !ask.noCache && now - tag.confirmedAt < this.#config.fresh * 1000;
    if (fresh && (!isPrivate(record, tag) || this.#vouchedFor(ask))) return this.#hit(record, tag, {});
    // A private record is never served before upstream accepted this request (contract §3a);
    // while a 429's gate holds, or the browser knows it is offline, the re-check below
    // answers at once (detail=stale) and no background check would get anywhere.
    if (
      waitUntil &&
      !ask.noCache &&
      globalThis.navigator?.onLine !== false &&
      !isPrivate(record, tag) &&
      withinSwr(this.#config, tag.confirmedAt, now) &&
      this.#gate.blockedUntil(upstream, now) === null
    ) {
      const key = [upstream, repository, reference, ask.acceptKey].join('\n');
      waitUntil(this.#revalidations.run(key, () => this.#revalidate(ask, tag.digest)).result);
      return this.#hit(record, tag, { detail: 'stale-while-revalidate' });
    }

    const recheck = await this.recheck(ask, tag.digest);
    if (recheck.kind === 'confirmed') return this.#hit(this.#confirm(record, tag), tag, { detail: 'revalidated' });
    if (recheck.kind !== 'moved') return this.#unconfirmed(ask, recheck, record, tag);
    const { digest, answer } = recheck;
    if (digest && waitUntil) this.#o.events.emit({ type: 'tag-moved', upstream, repository, tag: reference, from: tag.digest, to: digest });
    const moved = digest ? await this.#servable(ask, digest) : null;
    if (moved?.record) {
      // The tag moved to content already stored: repoint it, no body needed.
      const confirmed = this.#confirm(moved.record, null);
      const repointed = tagRecord(ask, confirmed, this.#now());
      await save(this.#store, this.#o.maintenance, null, repointed, ask.revalidating);
      return this.#hit(confirmed, repointed, { detail: 'revalidated' });
    }
    // A HEAD asks for no body, so it costs no pull: pass upstream's headers through.
    if (ask.method === 'HEAD') return { kind: 'pass', answer, status: { fwd: 'stale' } };
    if (!digest) return this.#miss(ask, 'stale');
    const byDigest = await this.#fetch(ask, digest);
    // Some registries only serve a tag's variant by tag: fall back to that.
    if (byDigest.fetched.kind === 'pass' && byDigest.fetched.answer.status === 404) return this.#miss(ask, 'stale');
    return this.#respond(byDigest.fetched, 'stale', byDigest.joined);
  }

  // Stale-while-revalidate's background half: today's re-check, past every window; then
  // what changed is dropped or told, after the store holds it, so a page that hears of it
  // and asks again gets the new answer.
  async #revalidate(ask: Ask, from: string): Promise<void> {
    for (let i = QUIET_ROUNDS; i-- && Date.now() - this.#last < QUIET_MS; ) await new Promise((r) => setTimeout(r, QUIET_MS));
    const { upstream, repository, reference: tag } = ask.wanted;
    const { drop, to, gone } = afterRevalidation(await this.#byTag({ ...ask, noCache: true, revalidating: true }, null));
    if (drop) await this.#drop(ask.wanted, ask.acceptKey);
    if (gone) this.#o.events.emit({ type: 'tag-dropped', upstream, repository, tag, accept: ask.accept.join() });
    else if (to && to !== from) this.#o.events.emit({ type: 'tag-moved', upstream, repository, tag, from, to });
  }

  // Upstream did not vouch for a stored record. Only a record anyone may read is served on
  // upstream's HTTP failure: a private one only when upstream cannot be reached at all,
  // since any answer may be a refusal (contract §3a, §4).
  #unconfirmed(ask: Ask, recheck: Unconfirmed, record: ManifestRecord, tag: TagRecord | null): Reply | Promise<Reply> {
    const shared = !isPrivate(record, tag);
    const stale = (fwdStatus?: number) => this.#hit(record, tag, { detail: 'stale', fwdStatus });
    if (recheck.kind === 'unreachable') return stale();
    if (recheck.kind === 'rate-limited') {
      if (shared) return stale(429);
      // Not forwarded while the gate holds, hence detail=retry-after there.
      if (!recheck.answer) return this.#rateLimited(recheck.until, { detail: 'retry-after' });
      // Asking again as a GET would spend a pull on a registry that just said to wait.
      if (ask.method === 'GET') return this.#rateLimited(recheck.until, { fwd: 'stale', fwdStatus: 429 });
    } else if (recheck.kind === 'failing' && shared) {
      return stale(recheck.answer.status);
    }
    // 401, 403, 404 and the like: the page gets exactly what upstream says, body included,
    // so a GET is asked again as a GET.
    const { answer } = recheck;
    return ask.method === 'HEAD' ? { kind: 'pass', answer, status: { fwd: 'stale', fwdStatus: answer.status } } : this.#miss(ask, 'stale');
  }

  // Re-checks a stored answer (`stored`: its digest) with a HEAD carrying the request's own
  // Accept and Authorization; after a 429, not before its Retry-After has passed.
  private async recheck(ask: Ask, stored: string): Promise<Recheck> {
    const origin = ask.wanted.upstream;
    const until = this.#gate.blockedUntil(origin, this.#now());
    if (until !== null) return { kind: 'rate-limited', until, answer: null };
    this.#o.stats.bump('rechecks');
    const key = this.#flightKey('RECHECK', ask, ask.wanted.reference);
    const answer = await this.#heads.run(key, () => this.#upstream.head(ask, ask.wanted.reference, this.#config.timeout)).result;
    const recheck = readRecheck(answer, stored, (retryAfter) => this.#gate.block(origin, retryAfter, this.#now()));
    if (recheck.kind === 'confirmed' || recheck.kind === 'moved') this.#vouch(ask);
    return recheck;
  }

  // Upstream said to wait (until `until`, or for an unknown time when null) and a private
  // record may not be served instead: say so as a registry would.
  #rateLimited(until: number | null, status: CacheStatus): Reply {
    const wait = until === null ? null : retryAfterSeconds(until, this.#now());
    const headers: Record<string, string> = wait === null ? {} : { 'retry-after': String(wait) };
    return made(ociError(429, 'TOOMANYREQUESTS', 'upstream asked for no more requests for now', {}, status, headers), status);
  }

  #vouchKey(ask: Ask): string {
    return [ask.wanted.upstream, ask.wanted.repository, credentialKey(ask)].join('\n');
  }

  // Upstream just served this repository to these credentials; within the fresh window
  // a private record needs no new HEAD for them. Kept in memory only, never stored.
  #vouch(ask: Ask): void {
    if (this.#config.fresh === 0) return;
    if (this.#vouched.size >= 1_000) this.#vouched.clear();
    this.#vouched.set(this.#vouchKey(ask), this.#now());
  }

  #vouchedFor(ask: Ask): boolean {
    const at = this.#vouched.get(this.#vouchKey(ask));
    return at !== undefined && !ask.noCache && this.#now() - at < this.#config.fresh * 1000;
  }

  // A stored manifest this request may be given, or why there is none.
  async #servable(ask: Ask, digest: string): Promise<{ record?: ManifestRecord; reason: ForwardReason }> {
    const { upstream, repository } = ask.wanted;
    const record = await this.#store.getManifest([upstream, repository, digest]);
    if (!record || !isLive(record, this.#now())) return { reason: record ? 'stale' : 'miss' };
    // Upstream chooses by Accept; a type the client did not list is not ours to serve.
    if (!accepts(ask.accept, record.mediaType)) return { reason: 'vary-miss' };
    return { record, reason: 'miss' };
  }

  #hit(record: ManifestRecord, tag: TagRecord | null, extra: Omit<CacheStatus, 'hit' | 'ttl'>): Reply {
    const now = this.#now();
    this.#o.recency.used(record, tag, now);
    return { kind: 'record', record, status: { hit: true, ...extra, ttl: secondsLeft(record, now) } };
  }

  // Upstream vouched for the content again. The answer goes out with the longer life; the
  // write follows it (answer first, write afterwards).
  #confirm(record: ManifestRecord, tag: TagRecord | null): ManifestRecord {
    const confirmedAt = this.#now();
    const expiresAt = expiryFor(confirmedAt, this.#config.ttl);
    this.#o.recency.extend({ manifest: manifestKey(record), tag: tag && tagKey(tag), confirmedAt, expiresAt });
    return { ...record, confirmedAt, expiresAt };
  }

  async #miss(ask: Ask, reason: ForwardReason): Promise<Reply> {
    const { reference } = ask.wanted;
    if (ask.method === 'HEAD') {
      const { result, joined } = this.#heads.run(this.#flightKey('HEAD', ask, reference), () => this.#upstream.head(ask, reference));
      const answer = await result;
      if (!answer) return made(Response.error(), { fwd: reason });
      return { kind: 'pass', answer, status: { fwd: reason, fwdStatus: answer.status, collapsed: joined } };
    }
    const { fetched, joined } = await this.#fetch(ask, reference);
    return this.#respond(fetched, reason, joined);
  }

  #respond(fetched: Fetched, fwd: ForwardReason, collapsed: boolean): Reply {
    const status: CacheStatus = { fwd, collapsed };
    switch (fetched.kind) {
      case 'record': {
        const { record, stored } = fetched;
        return { ...fetched, status: { ...status, stored, ttl: stored ? secondsLeft(record, this.#now()) : undefined } };
      }
      case 'pass': {
        const { status: fwdStatus } = fetched.answer;
        return { ...fetched, status: { ...status, fwdStatus, detail: fwdStatus < 300 ? 'not-stored' : undefined } };
      }
      case 'invalid':
        return made(ociError(502, 'DIGEST_INVALID', fetched.message, fetched.detail, status), status);
      case 'failed':
        // No answer at all: without the worker the page would have seen a network error too.
        if (fetched.error.kind === 'network') return made(Response.error(), { fwd });
        // An answer started but could not be taken whole: say what went wrong.
        return made(ociError(502, 'MANIFEST_INVALID', `upstream answer failed: ${fetched.error.message}`, {}, status), status);
    }
  }

  #flightKey(method: string, ask: Ask, reference: string, credentials = credentialKey(ask)): string {
    const { upstream, repository } = ask.wanted;
    return [method, upstream, repository, reference, ask.acceptKey, ask.noStore, credentials].join('\n');
  }

  async #fetch(ask: Ask, reference: string): Promise<{ fetched: Fetched; joined: boolean }> {
    const key = this.#flightKey('GET', ask, reference);
    // The same manifest whatever the credentials ('' is no credential key).
    const pullKey = this.#flightKey('GET', ask, reference, '');
    // Another request, with other credentials, is pulling this very manifest: a HEAD with
    // this request's own credentials (no pull) asks upstream whether it would serve them the
    // same content, and only then do they share the body. Otherwise this request makes a GET
    // of its own, so a refused one gets upstream's refusal as upstream words it.
    const pull = this.#fetches.get(key) ? undefined : this.#pulls.get(pullKey);
    if (
      pull &&
      (await this.#serves(
        ask,
        reference,
        pull.then((f) => f.kind === 'record' && f.record.digest),
      ))
    ) {
      return { fetched: await pull, joined: true };
    }
    // Never onto another's pull unauthorized: with one running, this GET is a GET of its own.
    const own = () => this.#fetchAndStore(ask, reference);
    const { result, joined } = this.#fetches.run(key, () => (pull ? own() : this.#pulls.run(pullKey, own).result));
    return { fetched: await result, joined };
  }

  // One upstream GET, shared by every request collapsed onto it: fetched, verified, and
  // stored when it may be.
  async #fetchAndStore(ask: Ask, reference: string): Promise<Fetched> {
    const got = await this.#upstream.get(ask, reference, this.#config.timeout);
    if (got instanceof UpstreamError) return { kind: 'failed', error: got };
    const { response, answer } = got;
    const pass: Fetched = { kind: 'pass', answer };
    const mediaType = mediaTypeOf(response.headers.get('content-type'));
    if (!response.ok || isSchema1(mediaType)) return pass;

    const sent = response.headers.get('docker-content-digest');
    // A digest that is not canonical is no key and no claim to check: as if absent, so the
    // digest comes from the body (upper-case hex would otherwise key a duplicate record).
    const verified = await verify(answer.body, reference, sent !== null && isCanonicalDigest(sent) ? sent : null);
    if (!verified.ok) {
      this.#o.stats.bump('verificationFailures');
      return { kind: 'invalid', message: verified.message, detail: { url: manifestUrl(ask.wanted, reference), ...verified.detail } };
    }
    const headers = keptHeaders(response, answer.body, mediaType, ask.noStore);
    if (!headers) return pass;

    const { digest } = verified;
    const now = this.#now();
    // Public only when upstream serves it to a request with no credentials at all: no
    // Authorization, cookies or HTTP auth.
    const anonymous: Ask = { ...ask, authorization: null, credentials: 'omit', credentialed: false };
    const isPrivate = ask.credentialed && !(await this.#serves(anonymous, reference, digest));
    const record = manifestRecord(ask.wanted, digest, mediaType, answer.body, headers, now, this.#config.ttl, isPrivate);
    // The credential-free HEAD asked by this very tag: when it named the same digest, the
    // tag's resolution is public too, not only its content.
    const tag = ask.wanted.isDigest ? null : tagRecord({ ...ask, credentialed: isPrivate }, record, this.#now());
    const stored = await save(this.#store, this.#o.maintenance, record, tag, ask.revalidating);
    return { kind: 'record', record, stored };
  }

  // Whether upstream serves `digest` (false: nothing to serve; it may settle after the HEAD
  // has gone) to `ask`'s credentials: one HEAD, not a counted pull.
  async #serves(ask: Ask, reference: string, digest: string | false | Promise<string | false>): Promise<boolean> {
    const head = await this.#upstream.head(ask, reference, this.#config.timeout);
    const want = await digest;
    if (!want || !head || head.status < 200 || head.status > 299) return false;
    // By tag, the tag must lead to the same content; by digest, a 2xx names it already.
    const named = headerOf(head, 'docker-content-digest');
    return named === want || (reference === want && named === null);
  }

  // The one place records are dropped for what upstream said: a 2xx to a write drops the
  // reference (`accept` null: every Accept variant of a tag), a 404 to a read only `accept`'s.
  #drop(target: ManifestTarget, accept: string | null): Promise<boolean> {
    const { upstream, repository, reference } = target;
    if (target.isDigest) return this.#store.dropManifest([upstream, repository, reference]);
    if (accept === null) return this.#store.dropTagVariants(upstream, repository, reference);
    return this.#store.dropTag([upstream, repository, reference, accept]);
  }

  /** Forwards a PUT, DELETE or other write upstream untouched; a 2xx drops what is stored for the reference. */
  async write(request: Request, target: ManifestTarget): Promise<Response> {
    const response = await fetch(request);
    if (response.ok) await this.#drop(target, null);
    return response;
  }
}
