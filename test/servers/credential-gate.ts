// A registry that wants credentials other than a token: a loopback server in front of a
// real registry that lets /v2/ requests through only with a session cookie ('cookie') or
// the right HTTP Basic credentials ('basic'). Everything outside /v2/ (the test page and
// the worker script) comes from a static server, so the gate can also be the page's own
// origin. CORS allows credentials for one page origin; preflights never need credentials.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocal } from './listen.js';
import { type CountFilter, matches, registryError } from './proxy.js';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, CORS_EXPOSE_HEADERS } from './registry.js';

export type GateMode = 'cookie' | 'basic';

/** What a request to the gate carried: the right credentials, wrong ones, or none. */
export type GateCredentials = 'valid' | 'invalid' | 'none';

export interface GateLogEntry {
  method: string;
  /** Path with query string. */
  path: string;
  credentials: GateCredentials;
  /** 0 for requests dropped while offline. */
  status: number;
}

export interface GateOptions {
  mode: GateMode;
  /** Origin /v2/ requests are forwarded to. */
  registry: string;
  /** Origin every other path is fetched from (the test page, the worker script). */
  pages: string;
  /** The page origin CORS lets read answers, cookies and HTTP authentication included. */
  corsOrigin: string;
  /**
   * Repositories whose names start with this are anonymous: served with or without
   * credentials, like the public images of a registry that wants a login for the rest.
   */
  openPrefix?: string;
}

export interface CredentialGate {
  url: string;
  mode: GateMode;
  /** 'cookie' mode: the cookie that opens /v2/, as `GET /login` sets it. */
  cookie: string;
  /** 'basic' mode: the user and password that open /v2/, and their Authorization value. */
  user: string;
  password: string;
  basic: string;
  /** The realm of the Basic challenge. */
  realm: string;
  log: GateLogEntry[];
  /** Like UpstreamProxy.count; `credentials` narrows it further. Preflights count only when `method` is OPTIONS. */
  count(filter?: Omit<CountFilter, 'upstream'> & { credentials?: GateCredentials }): number;
  reset(): void;
  /** While on, every connection is cut at once: the browser sees a network error. */
  offline(on: boolean): void;
  stop(): Promise<void>;
}

const COOKIE_NAME = 'session';
const COOKIE_VALUE = 'ok';
const USER = 'reader';
const PASSWORD = 'open-sesame';
const REALM = 'regcache-gate';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);
// The request headers that choose the registry's answer; credentials stop at the gate.
const FORWARDED = ['accept', 'if-none-match', 'if-match', 'content-type', 'range'];

export async function startCredentialGate(opts: GateOptions): Promise<CredentialGate> {
  const log: GateLogEntry[] = [];
  const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  let isOffline = false;

  const cors = {
    'Access-Control-Allow-Origin': opts.corsOrigin,
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Expose-Headers': CORS_EXPOSE_HEADERS.join(', '),
    Vary: 'Origin',
  };

  const credentialsOf = (req: IncomingMessage): GateCredentials => {
    if (opts.mode === 'basic') {
      const auth = req.headers.authorization;
      if (auth === undefined) return 'none';
      return auth === basic ? 'valid' : 'invalid';
    }
    const values = (req.headers.cookie ?? '')
      .split(';')
      .map((c) => c.trim())
      .filter((c) => c.startsWith(`${COOKIE_NAME}=`))
      .map((c) => c.slice(COOKIE_NAME.length + 1));
    if (values.length === 0) return 'none';
    return values.includes(COOKIE_VALUE) ? 'valid' : 'invalid';
  };

  // `length` is the body's unless a HEAD announces what its GET would send.
  const send = (
    res: ServerResponse,
    entry: GateLogEntry,
    status: number,
    headers: Record<string, string>,
    body: Buffer,
    length = body.length,
  ) => {
    entry.status = status;
    // Connection: close, as the fault proxy does: no request is ever retried on a stale socket.
    res.writeHead(status, { ...cors, ...headers, 'Content-Length': String(length), Connection: 'close' });
    res.end(entry.method === 'HEAD' ? undefined : body);
  };

  const refuse = (res: ServerResponse, entry: GateLogEntry) => {
    const challenge: Record<string, string> = opts.mode === 'basic' ? { 'WWW-Authenticate': `Basic realm="${REALM}"` } : {};
    const body = registryError(
      'UNAUTHORIZED',
      opts.mode === 'basic' ? 'authentication required' : `log in first: no ${COOKIE_NAME} cookie`,
    );
    send(res, entry, 401, { 'Content-Type': 'application/json; charset=utf-8', ...challenge }, body);
  };

  const forward = async (req: IncomingMessage, res: ServerResponse, entry: GateLogEntry, origin: string) => {
    const method = req.method ?? 'GET';
    const headers = new Headers();
    for (const name of FORWARDED) {
      const value = req.headers[name];
      if (typeof value === 'string') headers.set(name, value);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const hasBody = method !== 'GET' && method !== 'HEAD';
    let answer: Response;
    try {
      answer = await fetch(`${origin}${req.url ?? '/'}`, {
        method,
        headers,
        redirect: 'manual',
        ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
      });
    } catch (err) {
      send(res, entry, 502, { 'Content-Type': 'text/plain' }, Buffer.from(`gate: upstream failed: ${String(err)}`));
      return;
    }
    const body = Buffer.from(await answer.arrayBuffer());
    const out: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      // The gate states CORS itself (the registry's headers name another origin), and
      // send() the length: one Content-Length only, or the browser sees a network error.
      if (HOP_BY_HOP.has(name) || name.startsWith('access-control-') || name === 'content-encoding' || name === 'content-length') return;
      out[name] = value;
    });
    // A HEAD keeps the length the registry announced; a GET's is what is sent.
    const announced = Number(answer.headers.get('content-length') ?? 0);
    send(res, entry, answer.status, out, body, method === 'HEAD' ? announced : body.length);
  };

  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const entry: GateLogEntry = { method, path, credentials: credentialsOf(req), status: 0 };
    log.push(entry);
    if (isOffline) {
      req.socket.destroy();
      return;
    }
    const pathname = new URL(path, 'http://gate').pathname;
    const handle = async () => {
      if (method === 'OPTIONS') {
        req.resume();
        entry.status = 204;
        res.writeHead(204, {
          ...cors,
          'Access-Control-Allow-Methods': CORS_ALLOW_METHODS.join(', '),
          'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS.join(', '),
          'Access-Control-Max-Age': '600',
          Connection: 'close',
        });
        res.end();
        return;
      }
      if (opts.mode === 'cookie' && (pathname === '/login' || pathname === '/logout')) {
        req.resume();
        const cookie =
          pathname === '/login' ? `${COOKIE_NAME}=${COOKIE_VALUE}; Path=/; HttpOnly; SameSite=Lax` : `${COOKIE_NAME}=; Path=/; Max-Age=0`;
        send(
          res,
          entry,
          200,
          { 'Set-Cookie': cookie, 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' },
          Buffer.from(`${pathname}\n`),
        );
        return;
      }
      if (pathname === '/v2' || pathname.startsWith('/v2/')) {
        const open = opts.openPrefix !== undefined && pathname.startsWith(`/v2/${opts.openPrefix}`);
        if (entry.credentials !== 'valid' && !open) {
          req.resume();
          refuse(res, entry);
          return;
        }
        await forward(req, res, entry, opts.registry);
        return;
      }
      await forward(req, res, entry, opts.pages);
    };
    handle().catch(() => res.destroy());
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  const listening = await listenLocal(server);
  return {
    url: listening.url,
    mode: opts.mode,
    cookie: `${COOKIE_NAME}=${COOKIE_VALUE}`,
    user: USER,
    password: PASSWORD,
    basic,
    realm: REALM,
    log,
    count(filter = {}) {
      return log.filter(
        (e) => (filter.credentials === undefined || e.credentials === filter.credentials) && matches(filter, e.method, e.path),
      ).length;
    },
    reset() {
      log.length = 0;
    },
    offline(on) {
      isOffline = on;
      if (on) listening.dropConnections();
    },
    stop: () => listening.stop(),
  };
}
