// Building the Responses a page receives.
import { type CacheStatus, formatCacheStatus } from '../../core/http/cache-status.js';
import { etagMatches } from '../../core/http/etag.js';
import type { ManifestRecord } from '../storage/schema.js';

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

export interface UpstreamAnswer {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: Uint8Array<ArrayBuffer> | null;
}

export function snapshotHeaders(response: Response): [string, string][] {
  return [...response.headers];
}

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

// OCI distribution-spec error body, for failures regcache itself detects.
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
