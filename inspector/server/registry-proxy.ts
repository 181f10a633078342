// Proxy mode of the dev server: for registries that send no CORS headers (Docker Hub,
// most others), the page talks to its own origin and this forwards /v2/ to the registry.
// Bearer challenges are rewritten so that the page's token request comes here too, and
// is forwarded only to a realm the registry itself announced: this is not an open proxy.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { TOKEN_PROXY_PATH } from '../page/offline-names.js';
import { formatChallenges, parseChallenges } from '../page/www-authenticate.js';
import { sendErrors } from './distribution-answers.js';

// On every answer relayed from a registry or token service: never sniffed, never a
// document that runs anything, whatever it is.
export const RELAYED_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "sandbox; default-src 'none'",
} as const;

// Realms remembered, the most recently announced kept; a registry has one or two.
export const MAX_REALMS = 32;
const MAX_REALM_LENGTH = 2048;

const FORWARDED_REQUEST_HEADERS = ['accept', 'authorization', 'if-none-match', 'range', 'cache-control', 'user-agent'];
const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-encoding',
  'content-type',
  'content-security-policy',
  'x-content-type-options',
  'set-cookie',
  'strict-transport-security',
  'alt-svc',
  'refresh',
  'link',
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-expose-headers',
  'access-control-allow-methods',
  'access-control-allow-headers',
]);

export interface RegistryProxy {
  // /v2/… on the page's origin.
  registry(req: IncomingMessage, res: ServerResponse): void;
  // TOKEN_PROXY_PATH?realm=…&service=…&scope=….
  token(req: IncomingMessage, res: ServerResponse): void;
}

function pageOrigin(req: IncomingMessage): string {
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  return `${encrypted ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
}

// The URL to ask upstream for a request to this server: the request's path and query
// on the upstream's origin, whatever else the request line said (`GET x://y/v2/` has the
// path /v2/). Null when the result would leave the upstream's origin (`//host/…`).
export function upstreamUrl(requestTarget: string, upstream: string): URL | null {
  let asked: URL;
  try {
    asked = new URL(requestTarget, 'http://request.invalid');
  } catch {
    return null;
  }
  const url = new URL(asked.pathname + asked.search, upstream);
  return url.origin === new URL(upstream).origin ? url : null;
}

// The realms a registry announced, at most MAX_REALMS of them: announcing a realm again
// makes it the newest, and the oldest is forgotten first.
export class AnnouncedRealms {
  private readonly realms = new Set<string>();
  constructor(private readonly limit = MAX_REALMS) {}

  add(realm: string): void {
    this.realms.delete(realm);
    this.realms.add(realm);
    for (const oldest of this.realms) {
      if (this.realms.size <= this.limit) break;
      this.realms.delete(oldest);
    }
  }

  has(realm: string): boolean {
    return this.realms.has(realm);
  }

  get size(): number {
    return this.realms.size;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

// Bearer realms now point at the proxy; the original realm rides along in the query. Only
// absolute http(s) realms are remembered: any other is left as it is, for the page to refuse.
export function rewriteChallenges(header: string, proxyTokenUrl: string, realms: AnnouncedRealms): string {
  const challenges = parseChallenges(header);
  for (const c of challenges) {
    const realm = c.params.realm;
    if (c.scheme.toLowerCase() !== 'bearer' || !realm || realm.length > MAX_REALM_LENGTH || !isHttpUrl(realm)) continue;
    realms.add(realm);
    const url = new URL(proxyTokenUrl);
    url.searchParams.set('realm', realm);
    c.params.realm = url.href;
  }
  return formatChallenges(challenges);
}

// Types relayed as upstream sent them: JSON, which covers every manifest type, and signed
// schema 1. Anything else (a blob, a registry's HTML error page) goes out as bytes.
const RELAYED_TYPE = /^application\/(?:json|[a-z0-9!#$&^_.+-]+\+json|vnd\.docker\.distribution\.manifest\.v1\+prettyjws)\s*(?:;[^,]*)?$/i;

export function relayedContentType(value: string | undefined): string {
  return value && RELAYED_TYPE.test(value) ? value : 'application/octet-stream';
}

async function relay(
  upstream: Response,
  req: IncomingMessage,
  res: ServerResponse,
  rewrite?: (name: string, value: string) => string,
): Promise<void> {
  const headers: Array<[string, string]> = [];
  const encoded = upstream.headers.has('content-encoding');
  upstream.headers.forEach((value, name) => {
    if (DROPPED_RESPONSE_HEADERS.has(name) || (encoded && name === 'content-length')) return;
    headers.push([name, rewrite ? rewrite(name, value) : value]);
  });
  headers.push(['content-type', relayedContentType(upstream.headers.get('content-type') ?? undefined)]);
  for (const [name, value] of Object.entries(RELAYED_HEADERS)) headers.push([name, value]);
  res.writeHead(upstream.status, upstream.statusText, headers.flat());
  if (req.method === 'HEAD' || !upstream.body) {
    res.end();
    return;
  }
  Readable.fromWeb(upstream.body as import('node:stream/web').ReadableStream).pipe(res);
}

export function createRegistryProxy(target: string): RegistryProxy {
  const targetOrigin = new URL(target).origin;
  const realms = new AnnouncedRealms();

  return {
    registry(req, res) {
      const url = upstreamUrl(req.url ?? '/', targetOrigin);
      if (!url) return sendErrors(req, res, 400, { code: 'UNSUPPORTED', message: 'the proxy forwards paths on /v2/ only' });
      const headers: Record<string, string> = { 'accept-encoding': 'identity' };
      for (const name of FORWARDED_REQUEST_HEADERS) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      // Blobs redirect to storage (Docker Hub: a CDN) that sends no CORS headers either;
      // the redirect is followed here, and fetch drops Authorization on the way.
      fetch(url, { method: req.method ?? 'GET', headers, redirect: 'follow' })
        .then((upstream) =>
          relay(upstream, req, res, (name, value) =>
            name === 'www-authenticate' ? rewriteChallenges(value, pageOrigin(req) + TOKEN_PROXY_PATH, realms) : value,
          ),
        )
        .catch((error: unknown) => {
          const cause = (error as { cause?: { code?: string } }).cause?.code;
          if (!res.headersSent)
            sendErrors(req, res, 502, {
              code: 'UNAVAILABLE',
              message: `the dev server's proxy could not reach ${targetOrigin}${cause ? ` (${cause})` : ''}`,
            });
          else res.destroy();
        });
    },

    token(req, res) {
      const url = new URL(req.url ?? '/', 'http://proxy.invalid');
      const realm = url.searchParams.get('realm');
      if (!realm || !realms.has(realm)) {
        return sendErrors(req, res, 403, {
          code: 'DENIED',
          message: `the proxy forwards token requests only to realms ${targetOrigin} announced, and ${realm ?? 'no realm'} is not one`,
        });
      }
      const forward = new URL(realm);
      for (const [k, v] of url.searchParams) if (k !== 'realm') forward.searchParams.append(k, v);
      const headers: Record<string, string> = { 'accept-encoding': 'identity' };
      if (typeof req.headers.authorization === 'string') headers.authorization = req.headers.authorization;
      fetch(forward, { headers })
        .then((upstream) => relay(upstream, req, res))
        .catch(() => {
          if (!res.headersSent)
            sendErrors(req, res, 502, {
              code: 'UNAVAILABLE',
              message: `the dev server's proxy could not reach the token service ${forward.origin}`,
            });
          else res.destroy();
        });
    },
  };
}
