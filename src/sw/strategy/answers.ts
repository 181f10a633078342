// Building the Responses a page receives.
import { type CacheStatus, formatCacheStatus } from '../../core/http/cache-status.js';
import { etagMatches } from '../../core/http/etag.js';
import type { ManifestRecord } from '../storage/schema.js';
import type { UpstreamAnswer } from '../upstream/calls.js';

// Every answer leaves through here, with regcache's Cache-Status. A worker-made answer to a
// cross-origin request is CORS-filtered for the page, so every header the page should read
// has to be exposed explicitly. Header names are written in lower case, as Headers lists
// them (names are case-insensitive; one spelling throughout also compresses better).
function respond(body: BodyInit | null, status: number, statusText: string, headers: Headers, cacheStatus: CacheStatus): Response {
  headers.set('cache-status', formatCacheStatus(cacheStatus));
  const names = [...headers.keys()].filter((n) => n !== 'access-control-expose-headers');
  headers.set('access-control-expose-headers', names.join(', '));
  return new Response(body, { status, statusText, headers });
}

function withoutBody(method: string, status: number): boolean {
  return method === 'HEAD' || status === 204 || status === 304;
}

/** A stored record's answer: upstream's kept headers and body, or a 304 when If-None-Match names it. */
export function answerFromRecord(
  record: ManifestRecord,
  request: { method: string; ifNoneMatch: string | null },
  status: CacheStatus,
): Response {
  const h = record.headers;
  const headers = new Headers();
  // A registry's Etag is the quoted digest; clients send the digest bare too.
  const notModified = etagMatches(request.ifNoneMatch, [record.digest, `"${record.digest}"`, h.etag]);
  if (!notModified) {
    headers.set('content-type', h.contentType);
    headers.set('content-length', String(record.size));
  }
  if (h.dockerContentDigest !== null) headers.set('docker-content-digest', h.dockerContentDigest);
  if (h.etag !== null) headers.set('etag', h.etag);
  if (h.apiVersion !== null) headers.set('docker-distribution-api-version', h.apiVersion);
  const code = notModified ? 304 : 200;
  const body = withoutBody(request.method, code) ? null : record.body;
  return respond(body, code, notModified ? 'Not Modified' : 'OK', headers, status);
}

/** Upstream's answer as it came, with regcache's Cache-Status. */
export function passThrough(answer: UpstreamAnswer, method: string, status: CacheStatus): Response {
  const body = withoutBody(method, answer.status) ? null : answer.body;
  return respond(body as BodyInit | null, answer.status, answer.statusText, new Headers(answer.headers), status);
}

/** An OCI distribution-spec error body, for failures regcache itself detects. */
export function ociError(
  httpStatus: number,
  code: string,
  message: string,
  detail: unknown,
  status: CacheStatus,
  extra: Record<string, string> = {},
): Response {
  const headers = new Headers({ ...extra, 'content-type': 'application/json; charset=utf-8' });
  return respond(JSON.stringify({ errors: [{ code, message, detail }] }), httpStatus, '', headers, status);
}

/**
 * A page's answer, decided by the strategy, counted (tally.ts), then built (render): a stored
 * or just-fetched record, upstream's answer passed through, or one regcache made itself (an
 * OCI error, or a network error), with the Cache-Status it carries or would carry.
 */
export type Reply = { status: CacheStatus } & (
  | { kind: 'record'; record: ManifestRecord }
  | { kind: 'pass'; answer: UpstreamAnswer }
  | { kind: 'made'; response: Response }
);

/** Builds the Response for a reply to a request. */
export function render(reply: Reply, request: { method: string; ifNoneMatch: string | null }): Response {
  if (reply.kind === 'record') return answerFromRecord(reply.record, request, reply.status);
  return reply.kind === 'pass' ? passThrough(reply.answer, request.method, reply.status) : reply.response;
}
