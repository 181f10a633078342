// regcache's own calls to registries.

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

export class UpstreamError extends Error {
  override name = 'UpstreamError';
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
    // one media type's answer into another's.
    return await fetch(call.url, {
      method: call.method,
      headers,
      mode: 'cors',
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
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

// Retry-After is delay-seconds or an HTTP date (RFC 9110 §10.2.3).
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return now + Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : date;
}

// After a 429 an upstream gets no re-checks until its Retry-After has passed.
export class RetryAfterGate {
  private readonly until = new Map<string, number>();

  block(origin: string, retryAfter: string | null, now: number): void {
    const until = parseRetryAfter(retryAfter, now);
    if (until !== null && until > now) this.until.set(origin, until);
  }

  isBlocked(origin: string, now: number): boolean {
    const until = this.until.get(origin);
    if (until === undefined) return false;
    if (until > now) return true;
    this.until.delete(origin);
    return false;
  }
}
