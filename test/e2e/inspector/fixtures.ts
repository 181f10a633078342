// The inspector as `npm start` serves it, but built: dist/ (the page, its worker and
// regcache's worker) and the embedded sample registry on one origin, with a switch that
// takes the whole origin offline.
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { test as base, expect, type Page, type TestInfo } from '@playwright/test';
import {
  type InspectorServerOptions,
  inspectorMiddleware,
  inspectorPage,
  PAGE_HEADERS,
} from '../../../inspector/server/inspector-plugin.js';
import { listenLocal } from '../../servers/listen.js';
import { DIST_DIR, ROOT } from '../support/fixtures.js';

export { expect };

export const LAYOUT_DIR = join(ROOT, 'samples', 'oci-layout');

export interface SampleImage {
  tag: string;
  digest: string;
  mediaType: string;
  // For the index: its platforms' manifests, in order.
  children: Array<{ digest: string; platform: string }>;
}

// Reads the committed sample layout, so the tests follow whatever make-samples wrote.
export function samples(): Record<'latest' | 'oci' | 'docker', SampleImage> {
  const index = JSON.parse(readFileSync(join(LAYOUT_DIR, 'index.json'), 'utf8')) as {
    manifests: Array<{ digest: string; mediaType: string; annotations: Record<string, string> }>;
  };
  const out: Record<string, SampleImage> = {};
  for (const d of index.manifests) {
    const tag = d.annotations['org.opencontainers.image.ref.name']!.split(':')[1]!;
    const body = JSON.parse(readFileSync(join(LAYOUT_DIR, 'blobs', 'sha256', d.digest.slice(7)), 'utf8')) as {
      manifests?: Array<{ digest: string; platform: { os: string; architecture: string; variant?: string } }>;
    };
    out[tag] = {
      tag,
      digest: d.digest,
      mediaType: d.mediaType,
      children: (body.manifests ?? []).map((c) => ({
        digest: c.digest,
        platform: [c.platform.os, c.platform.architecture, c.platform.variant].filter(Boolean).join('/'),
      })),
    };
  }
  return out as Record<'latest' | 'oci' | 'docker', SampleImage>;
}

export interface InspectorServer {
  url: string;
  // Paths of every request that reached the server, in order.
  log: string[];
  offline(on: boolean): void;
  stop(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

function serveDist(req: IncomingMessage, res: ServerResponse, options: InspectorServerOptions): void {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  const file = resolve(DIST_DIR, `.${path}`);
  if (!file.startsWith(DIST_DIR + sep) || !existsSync(file)) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`not found: ${path}\n`);
    return;
  }
  if (path === '/inspector.html') {
    // As `vite preview` serves it: told about its upstream, with the page's headers.
    res
      .writeHead(200, { 'Content-Type': TYPES['.html']!, 'Cache-Control': 'no-cache', ...PAGE_HEADERS })
      .end(inspectorPage(readFileSync(file, 'utf8'), options));
    return;
  }
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
  createReadStream(file).pipe(res);
}

export interface StartOptions extends Pick<InspectorServerOptions, 'proxy' | 'upstream'> {
  // The port to listen on, to restart a server on the same origin; by default a free one.
  port?: number;
  // Answers a request before the inspector's middleware does; false leaves it to them.
  route?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

// Without options: the embedded registry, as plain `npm start`. With `proxy`: proxy mode.
export async function startInspectorServer({ port, route, ...extra }: StartOptions = {}): Promise<InspectorServer> {
  for (const built of ['inspector.html', 'inspector-sw.js', 'regcache-sw.js']) {
    if (!existsSync(join(DIST_DIR, built))) throw new Error(`dist/${built} is missing: run \`npm run build\` first`);
  }
  const options: InspectorServerOptions = { distDir: DIST_DIR, layoutDir: LAYOUT_DIR, ...extra };
  const middleware = inspectorMiddleware(options);
  const log: string[] = [];
  let isOffline = false;
  const server = createServer((req, res) => {
    log.push(`${req.method} ${req.url}`);
    if (route?.(req, res)) return;
    middleware(req, res, () => serveDist(req, res, options));
  });
  server.on('connection', (socket) => {
    // Offline: the connection is dropped before a byte is read, as a dead network would.
    if (isOffline) socket.destroy();
  });
  const { url, dropConnections, stop } = await listenLocal(server, port);
  return {
    url,
    log,
    offline(on) {
      isOffline = on;
      if (on) dropConnections();
    },
    stop,
  };
}

/** One inspector server for a Playwright worker, started with the embedded registry. */
export const inspectorServerFixture: [
  (args: object, use: (server: InspectorServer) => Promise<void>) => Promise<void>,
  { scope: 'worker' },
] = [
  async ({}, use: (server: InspectorServer) => Promise<void>) => {
    const server = await startInspectorServer();
    await use(server);
    await server.stop();
  },
  { scope: 'worker' },
];

export const test = base.extend<{ inspector: InspectorServer }, { inspectorServer: InspectorServer }>({
  inspectorServer: inspectorServerFixture,
  inspector: async ({ inspectorServer, context }, use) => {
    inspectorServer.offline(false);
    inspectorServer.log.length = 0;
    await use(inspectorServer);
    inspectorServer.offline(false);
    await context.setOffline(false);
  },
});

// Opens the inspector (with ?ref= when given) and waits until its worker controls the page.
export async function openInspector(page: Page, origin: string, query = ''): Promise<void> {
  await page.goto(`${origin}/inspector.html${query}`);
  await waitReady(page);
}

export async function waitReady(page: Page): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('data-ready', 'true');
}

export function badgeOf(page: Page) {
  return page.locator('#view .view-header .badge');
}

// Cuts the network the way a person going offline would: the browser reports offline,
// and the origin (page and registry both) stops answering.
export async function goOffline(page: Page, server: InspectorServer): Promise<void> {
  server.offline(true);
  await page.context().setOffline(true);
}

export async function goOnline(page: Page, server: InspectorServer): Promise<void> {
  server.offline(false);
  await page.context().setOffline(false);
}

export async function saveScreenshot(page: Page, testInfo: TestInfo, name: string, docsFile?: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
  // REGCACHE_DOCS_SCREENSHOTS=1 refreshes the screenshots in docs/ from this run.
  if (docsFile && process.env.REGCACHE_DOCS_SCREENSHOTS === '1') {
    await page.screenshot({ path: join(ROOT, 'docs', docsFile), fullPage: false });
  }
}
