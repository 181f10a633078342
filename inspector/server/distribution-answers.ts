// How distribution 2.8 words its answers: the headers it sends on every response and its
// error bodies, byte for byte (Go's JSON encoder ends each body with a newline).
import type { IncomingMessage, ServerResponse } from 'node:http';

export const API_VERSION = 'registry/2.0';

export interface CorsConfig {
  // distribution's CORS is static configuration (http.headers): one origin, sent on every answer.
  origin: string;
  methods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
}

export interface RegistryError {
  code: string;
  message: string;
  detail?: unknown;
}

export const ERRORS = {
  manifestUnknown: (detail: unknown): RegistryError => ({ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail }),
  blobUnknown: (digest: string): RegistryError => ({ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry', detail: digest }),
  nameUnknown: (name: string): RegistryError => ({
    code: 'NAME_UNKNOWN',
    message: 'repository name not known to registry',
    detail: { name },
  }),
  digestInvalid: (): RegistryError => ({
    code: 'DIGEST_INVALID',
    message: 'provided digest did not match uploaded content',
    detail: {},
  }),
  unsupported: (): RegistryError => ({ code: 'UNSUPPORTED', message: 'The operation is unsupported.' }),
  unknown: (detail: unknown): RegistryError => ({ code: 'UNKNOWN', message: 'unknown error', detail }),
};

export function commonHeaders(res: ServerResponse, cors: CorsConfig | undefined): void {
  if (cors) {
    // Repeated header lines, as distribution writes each configured value.
    res.setHeader('Access-Control-Allow-Headers', cors.allowHeaders);
    res.setHeader('Access-Control-Allow-Methods', cors.methods);
    res.setHeader('Access-Control-Allow-Origin', cors.origin);
    res.setHeader('Access-Control-Expose-Headers', cors.exposeHeaders);
  }
  res.setHeader('Docker-Distribution-Api-Version', API_VERSION);
  res.setHeader('X-Content-Type-Options', 'nosniff');
}

export function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Buffer | string = '',
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (!('Content-Length' in headers) && status !== 304) res.setHeader('Content-Length', String(bytes.length));
  res.writeHead(status);
  res.end(req.method === 'HEAD' || status === 304 ? undefined : bytes);
}

export function sendErrors(req: IncomingMessage, res: ServerResponse, status: number, ...errors: RegistryError[]): void {
  send(req, res, status, { 'Content-Type': 'application/json; charset=utf-8' }, `${JSON.stringify({ errors })}\n`);
}

export function sendJson(req: IncomingMessage, res: ServerResponse, value: unknown): void {
  send(req, res, 200, { 'Content-Type': 'application/json; charset=utf-8' }, `${JSON.stringify(value)}\n`);
}

// Outside distribution's routes, Go's own 404 answers: no configured headers, but Go's nosniff.
export function notFoundPage(req: IncomingMessage, res: ServerResponse): void {
  for (const name of res.getHeaderNames()) if (name.startsWith('access-control-')) res.removeHeader(name);
  send(req, res, 404, { 'Content-Type': 'text/plain; charset=utf-8' }, '404 page not found\n');
}

export function methodNotAllowed(req: IncomingMessage, res: ServerResponse, allow: string): void {
  send(req, res, 405, { Allow: allow, 'Content-Type': 'text/plain; charset=utf-8' }, 'Method not allowed\n');
}
