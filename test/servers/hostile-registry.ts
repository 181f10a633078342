// A registry under a test's control, for hostile answers: manifests and blobs it is
// given (served with their true digests, so that they pass verification), a hook that
// answers first, a record of every request, and CORS for pages on other origins.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocal } from './listen.js';

export interface HostileRegistry {
  // http://localhost:<port>: another origin than the inspector's http://127.0.0.1:<port>.
  url: string;
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }>;
  manifest(repository: string, tag: string, body: string, mediaType: string): string;
  blob(body: string): string;
  stop(): Promise<void>;
}

export const digestOf = (body: string): string => `sha256:${createHash('sha256').update(body).digest('hex')}`;

export async function startHostileRegistry(
  options: { cors?: boolean; handle?: (req: IncomingMessage, res: ServerResponse) => boolean } = {},
): Promise<HostileRegistry> {
  const manifests = new Map<string, { body: string; mediaType: string }>();
  const blobs = new Map<string, string>();
  const requests: HostileRegistry['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
    if (options.cors) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Expose-Headers', 'Docker-Content-Digest, WWW-Authenticate, Content-Type');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { 'Access-Control-Allow-Headers': 'Authorization, Accept', 'Access-Control-Allow-Methods': 'GET, HEAD' }).end();
        return;
      }
    }
    if (options.handle?.(req, res)) return;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(path);
    const found =
      m?.[2] === 'manifests'
        ? manifests.get(`${m[1]}:${decodeURIComponent(m[3]!)}`)
        : m
          ? blobs.has(m[3]!)
            ? { body: blobs.get(m[3]!)!, mediaType: 'application/octet-stream' }
            : undefined
          : undefined;
    if (!found) {
      res
        .writeHead(404, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ errors: [{ code: m?.[2] === 'blobs' ? 'BLOB_UNKNOWN' : 'MANIFEST_UNKNOWN', message: 'unknown' }] }));
      return;
    }
    const bytes = Buffer.from(found.body);
    res.writeHead(200, {
      'Content-Type': found.mediaType,
      'Content-Length': String(bytes.byteLength),
      'Docker-Content-Digest': digestOf(found.body),
    });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  });
  const { url, stop } = await listenLocal(server);
  return {
    url: url.replace('127.0.0.1', 'localhost'),
    requests,
    manifest(repository, tag, body, mediaType) {
      const digest = digestOf(body);
      manifests.set(`${repository}:${tag}`, { body, mediaType });
      manifests.set(`${repository}:${digest}`, { body, mediaType });
      return digest;
    },
    blob(body) {
      const digest = digestOf(body);
      blobs.set(digest, body);
      return digest;
    },
    stop,
  };
}
