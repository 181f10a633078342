// Building the Responses a page receives.
import { type CacheStatus, formatCacheStatus } from '../../core/http/cache-status.js';
import { etagMatches } from '../../core/http/etag.js';
import type { ManifestRecord } from '../storage/schema.js';
import type { UpstreamAnswer } from '../upstream/calls.js';

// A worker-made answer to a cross-origin request is CORS-filtered for the page, so
// every header the page should read has to be exposed explicitly.
function expose(headers: Headers): Headers {
  const names = [...headers.keys()].filter((n) => n !== 'access-control-expose-headers');
  headers.set('Access-Control-Expose-Headers', names.join(', '));
  return headers;
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
    headers.set('Content-Type', h.contentType);
    headers.set('Content-Length', String(record.size));
  }
  if (h.dockerContentDigest !== null) headers.set('Docker-Content-Digest', h.dockerContentDigest);
  if (h.etag !== null) headers.set('Etag', h.etag);
  if (h.apiVersion !== null) headers.set('Docker-Distribution-Api-Version', h.apiVersion);
  headers.set('Cache-Status', formatCacheStatus(status));
  const code = notModified ? 304 : 200;
  const body = withoutBody(request.method, code) ? null : record.body;
  return new Response(body, { status: code, statusText: notModified ? 'Not Modified' : 'OK', headers: expose(headers) });
}

/** Upstream's answer as it came, with regcache's Cache-Status. */
export function passThrough(answer: UpstreamAnswer, method: string, status: CacheStatus): Response {
  const headers = new Headers(answer.headers);
  headers.set('Cache-Status', formatCacheStatus(status));
  const body = withoutBody(method, answer.status) ? null : answer.body;
  return new Response(body as BodyInit | null, {
    status: answer.status,
    statusText: answer.statusText,
    headers: expose(headers),
  });
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
  const headers = new Headers({
    ...extra,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Status': formatCacheStatus(status),
  });
  return new Response(JSON.stringify({ errors: [{ code, message, detail }] }), {
    status: httpStatus,
    headers: expose(headers),
  });
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
