// regcache's own calls to registries.

import { joinChunks } from '../../core/bytes.js';

export const MANIFEST_LIMIT = 4 * 1024 * 1024;
// Past this a body is not even passed through: it cannot be a manifest, and buffering
// it would let a hostile upstream exhaust the worker's memory.
export const PASS_THROUGH_LIMIT = 32 * 1024 * 1024;

export interface UpstreamCall {
  url: string;
  method: 'GET' | 'HEAD';
  // Only these client headers travel upstream: they decide the answer.
  accept: string | null;
  authorization: string | null;
  credentials: RequestCredentials;
  timeoutMs?: number;
}

// Answered, never thrown past calls.ts: only its kind and message are read, so it needs no
// name of its own (bytes saved in the worker).
export class UpstreamError extends Error {
  constructor(
    readonly kind: 'network' | 'timeout' | 'too-large' | 'stalled' | 'broken',
    message: string,
  ) {
    super(message);
  }
}

export async function callUpstream(call: UpstreamCall): Promise<Response> {
  const headers = new Headers();
  if (call.accept !== null) headers.set('Accept', call.accept);
  if (call.authorization !== null) headers.set('Authorization', call.authorization);
  const abort = new AbortController();
  const timer = call.timeoutMs === undefined ? undefined : setTimeout(() => abort.abort(), call.timeoutMs);
  try {
    // no-store: registries send no Vary: Accept, so the HTTP cache could revalidate
    // one media type's answer into another's. The mode is fetch()'s default for a URL, cors:
    // a cross-origin answer whose headers the worker cannot read is never taken.
    return await fetch(call.url, {
      method: call.method,
      headers,
      credentials: call.credentials,
      cache: 'no-store',
      signal: abort.signal,
    });
  } catch (error) {
    if (abort.signal.aborted) {
      throw new UpstreamError('timeout', `${call.method} ${call.url} timed out after ${call.timeoutMs} ms`);
    }
    throw new UpstreamError('network', `${call.method} ${call.url} failed: ${String(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

// Reads a whole body. A body that stops arriving for `idleMs`, or breaks off, is an
// error rather than a short manifest.
export async function readBody(response: Response, idleMs: number): Promise<Uint8Array<ArrayBuffer>> {
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new UpstreamError('stalled', `no body data for ${idleMs} ms`)), idleMs);
    });
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await Promise.race([reader.read(), stalled]);
    } catch (error) {
      void reader.cancel().catch(() => undefined);
      if (error instanceof UpstreamError) throw error;
      throw new UpstreamError('broken', `the body broke off after ${total} bytes: ${String(error)}`);
    } finally {
      clearTimeout(timer);
    }
    if (chunk.done) break;
    total += chunk.value.byteLength;
    if (total > PASS_THROUGH_LIMIT) {
      void reader.cancel().catch(() => undefined);
      throw new UpstreamError('too-large', `body is over ${PASS_THROUGH_LIMIT} bytes`);
    }
    chunks.push(chunk.value);
  }
  return joinChunks(chunks, total);
}

// The longest wait a Retry-After can impose, in milliseconds: past it, re-checks resume.
// A registry's rate-limit window can be hours, but a stored tag served stale that long (or a
// hostile `Retry-After: 100000`) would hide every move of the tag; ten minutes spares upstream
// and keeps answers current.
export const RETRY_AFTER_CAP_MS = 10 * 60 * 1000;

// Retry-After is delay-seconds or an HTTP date (RFC 9110 §10.2.3). Answers the time (ms since
// the epoch) until which to wait, at most RETRY_AFTER_CAP_MS from now, or null if unreadable.
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  // Each HTTP-date form starts with a day name; Date.parse alone takes '-5' for a year.
  const until = /^\d+$/.test(trimmed) ? now + Number(trimmed) * 1000 : /^[A-Z][a-z]{2}/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(until) ? null : Math.min(until, now + RETRY_AFTER_CAP_MS);
}

// Whole seconds from now until `until`, as a Retry-After value.
export function retryAfterSeconds(until: number, now: number): number {
  return Math.max(0, Math.ceil((until - now) / 1000));
}

// After a 429 an upstream gets no re-checks until its Retry-After has passed.
export class RetryAfterGate {
  readonly #until = new Map<string, number>();

  // Answers until when the origin is blocked, or null when this answer blocks nothing.
  block(origin: string, retryAfter: string | null, now: number): number | null {
    const until = parseRetryAfter(retryAfter, now);
    if (until === null || until <= now) return null;
    this.#until.set(origin, until);
    return until;
  }

  blockedUntil(origin: string, now: number): number | null {
    const until = this.#until.get(origin);
    if (until === undefined) return null;
    if (until > now) return until;
    this.#until.delete(origin);
    return null;
  }
}
