// Proxy mode of the dev server: for registries that send no CORS headers (Docker Hub,
// most others), the page talks to its own origin and this forwards /v2/ to the registry.
// Bearer challenges are rewritten so that the page's token request comes here too, and
// is forwarded only to a realm the registry itself announced: this is not an open proxy.
//
// The registry is not trusted (docs/security.md). What it answers reaches the page's
// origin as inert bytes or JSON; this server follows a blob's redirects itself, but never
// to another origin on a loopback, private or link-local address; and every URL it asks
// is built from the request's path alone and checked to be on the intended origin.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';
import { nextPage } from '../page/link-header.js';
import { TOKEN_PROXY_PATH } from '../page/offline-names.js';
import { formatChallenges, parseChallenges } from '../page/www-authenticate.js';
import { sendErrors } from './distribution-answers.js';

const FORWARDED_REQUEST_HEADERS = ['accept', 'authorization', 'if-none-match', 'range', 'cache-control', 'user-agent'];
const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-encoding',
  'content-type',
  'content-security-policy',
  'x-content-type-options',
  'location',
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

// On every answer relayed from a registry or token service: never sniffed, never a
// document that runs anything, whatever it is.
export const RELAYED_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "sandbox; default-src 'none'",
} as const;

// Blob redirects followed before giving up (Docker Hub uses one).
export const MAX_BLOB_REDIRECTS = 5;
// Realms remembered, the most recently announced kept; a registry has one or two.
export const MAX_REALMS = 32;
const MAX_REALM_LENGTH = 2048;

export interface RegistryProxy {
  // /v2/… on the page's origin.
  registry(req: IncomingMessage, res: ServerResponse): void;
  // TOKEN_PROXY_PATH?realm=…&service=…&scope=….
  token(req: IncomingMessage, res: ServerResponse): void;
}

// A refusal of this proxy's own (not upstream's answer), said to the page as a 502.
class Refused extends Error {}

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

// Addresses nobody on the internet has: a URL naming one reaches this machine or its network.
const NOT_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['100::', 64],
] as const)
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv6');

export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !NOT_PUBLIC.check(address, 'ipv4');
  if (family !== 6) return false;
  // An IPv4 address written as IPv6 (::ffff:127.0.0.1) is that IPv4 address.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return isPublicAddress(mapped);
  return !NOT_PUBLIC.check(address, 'ipv6');
}

// A DNS lookup that fails for a name with any address that is not public, used while
// connecting, so that the address checked is the address connected to.
type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
function publicLookup(hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (refused) return callback(new Refused(`${hostname} is at ${refused.address}, which is not a public address`), []);
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(new Refused(`${hostname} has no address`), []);
    callback(null, first.address, first.family);
  });
}

interface Ask {
  method: string;
  headers: Record<string, string>;
  // Connect only to public addresses (a URL on another origin than upstream's).
  publicOnly: boolean;
}

function ask(url: URL, { method, headers, publicOnly }: Ask): Promise<IncomingMessage> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.reject(new Refused(`${url.protocol} is not http(s)`));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (publicOnly && isIP(host) && !isPublicAddress(host)) return Promise.reject(new Refused(`${host} is not a public address`));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers, ...(publicOnly ? { lookup: publicLookup as never } : {}) });
    req.on('response', resolve);
    req.on('error', reject);
    req.end();
  });
}

const isRedirect = (status: number | undefined) => status === 301 || status === 302 || status === 303 || status === 307 || status === 308;

// Types relayed as upstream sent them: JSON, which covers every manifest type, and signed
// schema 1. Anything else (a blob, a registry's HTML error page) goes out as bytes.
const RELAYED_TYPE = /^application\/(?:json|[a-z0-9!#$&^_.+-]+\+json|vnd\.docker\.distribution\.manifest\.v1\+prettyjws)\s*(?:;[^,]*)?$/i;

export function relayedContentType(value: string | undefined): string {
  return value && RELAYED_TYPE.test(value) ? value : 'application/octet-stream';
}

// The next page of a listing (_catalog, tags/list), passed on as a path on this origin when
// it stays on upstream's listing; any other Link is dropped.
function listingLink(value: string | string[] | undefined, url: URL): string | null {
  const header = Array.isArray(value) ? value.join(', ') : value;
  if (!header || !/^\/v2\/(?:_catalog|.+\/tags\/list)$/.test(url.pathname)) return null;
  const next = nextPage(header, url);
  return next && 'url' in next ? `<${next.url.pathname}${next.url.search}>; rel="next"` : null;
}

function relay(
  upstream: IncomingMessage,
  req: IncomingMessage,
  res: ServerResponse,
  rewrite: (name: string, value: string) => string = (_name, value) => value,
  location: string | null = null,
  link: string | null = null,
): void {
  const headers: Array<[string, string]> = [];
  const encoded = upstream.headers['content-encoding'] !== undefined;
  for (const [name, value] of Object.entries(upstream.headers)) {
    if (value === undefined || DROPPED_RESPONSE_HEADERS.has(name) || (encoded && name === 'content-length')) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.push([name, rewrite(name, one)]);
  }
  headers.push(['content-type', relayedContentType(upstream.headers['content-type'])]);
  for (const [name, value] of Object.entries(RELAYED_HEADERS)) headers.push([name, value]);
  if (location !== null) headers.push(['location', location]);
  if (link !== null) headers.push(['link', link]);
  res.writeHead(upstream.statusCode ?? 502, upstream.statusMessage, headers.flat());
  if (req.method === 'HEAD') {
    upstream.resume();
    res.end();
    return;
  }
  upstream.on('error', () => res.destroy());
  upstream.pipe(res);
}

export function createRegistryProxy(target: string): RegistryProxy {
  const targetOrigin = new URL(target).origin;
  const realms = new AnnouncedRealms();

  // A redirect from upstream, passed to the page: back through this proxy when it stays on
  // upstream's origin, else as it is (the browser follows it, cross-origin, by its own rules).
  const passedLocation = (location: string | undefined, base: URL): string | null => {
    if (!location) return null;
    let next: URL;
    try {
      next = new URL(location, base);
    } catch {
      return null;
    }
    return next.origin === targetOrigin ? next.pathname + next.search : next.href;
  };

  // A blob: redirects to storage are followed here (the page could not read storage that
  // sends no CORS headers), a few hops, to upstream's origin or to https on a public address.
  const askFollowing = async (url: URL, method: string, headers: Record<string, string>): Promise<IncomingMessage> => {
    let at = url;
    for (let hop = 0; ; hop++) {
      const own = at.origin === targetOrigin;
      const { authorization: _dropped, ...anonymous } = headers;
      const answer = await ask(at, { method, headers: own ? headers : anonymous, publicOnly: !own });
      const location = answer.headers.location;
      if (!isRedirect(answer.statusCode) || !location) return answer;
      answer.resume();
      if (hop >= MAX_BLOB_REDIRECTS) throw new Refused(`upstream redirected more than ${MAX_BLOB_REDIRECTS} times`);
      const next = new URL(location, at);
      if (next.origin !== targetOrigin && next.protocol !== 'https:') {
        throw new Refused(`upstream redirected to ${next.origin}, which is neither its own origin nor https`);
      }
      at = next;
    }
  };

  const failed = (req: IncomingMessage, res: ServerResponse, what: string) => (error: unknown) => {
    if (res.headersSent) return void res.destroy();
    const reason =
      error instanceof Refused
        ? error.message
        : ((error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code);
    sendErrors(req, res, 502, {
      code: 'UNAVAILABLE',
      message: `the dev server's proxy did not reach ${what}${reason ? ` (${reason})` : ''}`,
    });
  };

  return {
    registry(req, res) {
      const url = upstreamUrl(req.url ?? '/', targetOrigin);
      if (!url) return sendErrors(req, res, 400, { code: 'UNSUPPORTED', message: 'the proxy forwards paths on /v2/ only' });
      const headers: Record<string, string> = { 'accept-encoding': 'identity' };
      for (const name of FORWARDED_REQUEST_HEADERS) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const method = req.method === 'HEAD' ? 'HEAD' : (req.method ?? 'GET');
      const isBlob = /\/blobs\/[^/]+$/.test(url.pathname);
      const asked = isBlob ? askFollowing(url, method, headers) : ask(url, { method, headers, publicOnly: false });
      asked
        .then((upstream) => {
          // Anything but a blob is passed on as upstream answered, redirect included: the
          // worker never stores an answer reached through one.
          const location = isRedirect(upstream.statusCode) ? passedLocation(upstream.headers.location, url) : null;
          relay(
            upstream,
            req,
            res,
            (name, value) => (name === 'www-authenticate' ? rewriteChallenges(value, pageOrigin(req) + TOKEN_PROXY_PATH, realms) : value),
            location,
            listingLink(upstream.headers.link, url),
          );
        })
        .catch(failed(req, res, targetOrigin));
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
      // A realm is the registry's word too, so it is held to the rule for blob redirects: on
      // the registry's origin, or https on a public address. Its redirects are not followed.
      const own = forward.origin === targetOrigin;
      if (!own && forward.protocol !== 'https:') {
        return failed(req, res, `the token service ${forward.origin}`)(new Refused('a realm on another origin must be https'));
      }
      ask(forward, { method: 'GET', headers, publicOnly: !own })
        .then((upstream) => relay(upstream, req, res))
        .catch(failed(req, res, `the token service ${forward.origin}`));
    },
  };
}
