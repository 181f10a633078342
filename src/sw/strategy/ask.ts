// One page request, with what decides its answer read from its headers once.
import { acceptKey, parseAccept } from '../../core/http/accept.js';
import type { ManifestTarget } from '../../core/oci/grammar.js';
import { couldCarryCredentials } from './credentials.js';

/** A manifest GET or HEAD, as the strategy decides on it. */
export interface Ask {
  method: 'GET' | 'HEAD';
  wanted: ManifestTarget;
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
  // A stale-while-revalidate re-check, in the background: it stores over its tag only while
  // that tag is still stored, so a drop made meanwhile stays dropped.
  revalidating?: boolean;
}

function cacheControlHas(request: Request, directive: string): boolean {
  const value = request.headers.get('cache-control') ?? '';
  return value.split(',').some((d) => d.trim().toLowerCase() === directive);
}

const CONDITIONAL = ['if-none-match', 'if-modified-since', 'if-unmodified-since', 'if-match', 'if-range'];

/**
 * Whether the page asked for no-store. Firefox hands the worker a request whose cache mode
 * is already 'no-store' when it carries a conditional header (Fetch's HTTP-network-or-cache
 * step, applied before the worker sees it), so there the mode says nothing of the page's
 * wish; Chromium leaves it 'default'. The header is the page's word either way.
 */
export function requestsNoStore(request: Request): boolean {
  if (cacheControlHas(request, 'no-store')) return true;
  return request.cache === 'no-store' && !CONDITIONAL.some((h) => request.headers.has(h));
}

/** Reads a request for `target`. `ownOrigin` is the worker's, where 'same-origin' requests carry cookies. */
export function readAsk(request: Request, target: ManifestTarget, ownOrigin: string): Ask {
  const acceptHeader = request.headers.get('accept');
  const accept = parseAccept(acceptHeader);
  const authorization = request.headers.get('authorization');
  const credentials = request.credentials;
  return {
    method: request.method === 'HEAD' ? 'HEAD' : 'GET',
    wanted: target,
    acceptHeader,
    accept,
    acceptKey: acceptKey(accept),
    authorization,
    credentials,
    credentialed: couldCarryCredentials({ upstream: target.upstream, authorization, credentials }, ownOrigin),
    ifNoneMatch: request.headers.get('if-none-match'),
    noStore: requestsNoStore(request),
    noCache: request.cache === 'no-cache' || request.cache === 'reload' || cacheControlHas(request, 'no-cache'),
  };
}
