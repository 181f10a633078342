// One loopback origin per scenario: a service worker controls its scope on one origin
// only, so every worker under test gets a server of its own. Pages are cross-origin
// isolated (COOP + COEP) so that performance.now() ticks in 5 µs steps instead of 100 µs.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { listenLocal } from '../test/servers/listen.js';

export interface Origin {
  url: string;
  stop(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

export async function startOrigin(dirs: string[]): Promise<Origin> {
  const find = async (path: string): Promise<Buffer | undefined> => {
    const rel = normalize(path).replace(/^(\.\.(\/|$))+/, '');
    for (const dir of dirs) {
      const body = await readFile(join(dir, rel)).catch(() => undefined);
      if (body) return body;
    }
    return undefined;
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const headers = {
      'Cache-Control': 'no-store',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Service-Worker-Allowed': '/',
    };
    void find(path === '/' ? '/index.html' : path).then((body) => {
      if (body === undefined) {
        res.writeHead(404, headers).end();
        return;
      }
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
    });
  });
  const { url, stop } = await listenLocal(server);
  return { url, stop };
}
