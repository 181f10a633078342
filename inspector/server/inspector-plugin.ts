// `npm start`: Vite's dev server for the inspector, with the registry it talks to on the
// same origin. By default that is the embedded read-only registry over the sample OCI
// layout; REGCACHE_PROXY=<registry origin> forwards to a real registry instead, and
// REGCACHE_UPSTREAM=<registry origin> makes the page call a registry directly (it must
// send CORS headers for this page's origin).
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Connect, HtmlTagDescriptor, Plugin } from 'vite';
import { REGCACHE_PATH_PREFIX, TOKEN_PROXY_PATH } from '../page/offline-names.js';
import { createLayoutRegistry } from './layout-registry.js';
import { loadOciLayout } from './oci-layout.js';
import { createRegistryProxy, RELAYED_HEADERS } from './registry-proxy.js';

export interface InspectorServerOptions {
  // Where the built workers are (dist/).
  distDir: string;
  // The OCI image layout the embedded registry serves.
  layoutDir: string;
  // A registry origin to reach directly from the page.
  upstream?: string | undefined;
  // A registry origin to reach through this server.
  proxy?: string | undefined;
}

export const INSPECTOR_PAGE = '/inspector.html';
const WORKERS = ['/regcache-sw.js', '/inspector-sw.js'];
// How long browsers keep the redirect from `/` to the page: 7 days, as long as regcache
// keeps a record by default.
const ROOT_REDIRECT_SECONDS = 7 * 24 * 3600;

// The page's Content-Security-Policy (docs/security.md): its own scripts only, no plugins,
// no <base>, and fetch() open to any registry. A <meta> in the page carries it everywhere,
// static hosting included; where this server answers, a header adds frame-ancestors, which
// a <meta> cannot set.
export const PAGE_POLICY = "script-src 'self'; object-src 'none'; base-uri 'none'; connect-src 'self' http: https: ws: wss:";
export const PAGE_HEADERS = {
  'Content-Security-Policy': `${PAGE_POLICY}; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
} as const;

// Requests for a page's frame or tab: a registry's answer is never one.
const DOCUMENT_DESTINATIONS = new Set(['document', 'iframe', 'frame', 'embed', 'object']);

function checkedOrigin(variable: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${variable}=${value} is not a URL: expected a registry origin such as https://registry-1.docker.io`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${variable}=${value} is not an http(s) URL`);
  return url.origin;
}

export function optionsFromEnv(
  env: Record<string, string | undefined>,
  dirs: { distDir: string; layoutDir: string },
): InspectorServerOptions {
  const upstream = env.REGCACHE_UPSTREAM;
  const proxy = env.REGCACHE_PROXY;
  if (upstream && proxy)
    throw new Error('set REGCACHE_UPSTREAM (the page calls the registry) or REGCACHE_PROXY (this server calls it), not both');
  return {
    ...dirs,
    upstream: upstream ? checkedOrigin('REGCACHE_UPSTREAM', upstream) : undefined,
    proxy: proxy ? checkedOrigin('REGCACHE_PROXY', proxy) : undefined,
  };
}

// The middlewares, usable by any connect-style server: Vite's, or a plain node:http one.
export function inspectorMiddleware(options: InspectorServerOptions): Connect.NextHandleFunction {
  const proxy = options.proxy ? createRegistryProxy(options.proxy) : null;
  let registry: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const embedded = () => (registry ??= createLayoutRegistry(loadOciLayout(options.layoutDir)));

  return (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://inspector.invalid');
    if (url.pathname === '/' || url.pathname === '/index.html') {
      // The page's worker is scoped to the page, so it never sees `/`: the browser's HTTP
      // cache keeps this redirect instead, so that the address Vite prints opens offline.
      res.writeHead(302, { Location: INSPECTOR_PAGE + url.search, 'Cache-Control': `max-age=${ROOT_REDIRECT_SECONDS}` }).end();
      return;
    }
    const registryPath = url.pathname.startsWith('/v2/') || url.pathname === '/v2' || url.pathname.startsWith(REGCACHE_PATH_PREFIX);
    const destination = req.headers['sec-fetch-dest'];
    if (registryPath && typeof destination === 'string' && DOCUMENT_DESTINATIONS.has(destination)) {
      res
        .writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', ...RELAYED_HEADERS })
        .end('Registry answers are for the inspector to read, not pages to open.\n');
      return;
    }
    if (WORKERS.includes(url.pathname)) {
      const file = join(options.distDir, url.pathname.slice(1));
      if (!existsSync(file)) {
        res
          .writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' })
          .end(`${file} is missing: run \`npm run build\` (npm start does it first)\n`);
        return;
      }
      res.writeHead(200, {
        'Content-Type': 'text/javascript; charset=utf-8',
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(readFileSync(file));
      return;
    }
    if (url.pathname.startsWith('/v2/') || url.pathname === '/v2') {
      if (proxy) return proxy.registry(req, res);
      return embedded()(req, res);
    }
    if (url.pathname === TOKEN_PROXY_PATH && proxy) return proxy.token(req, res);
    next();
  };
}

// Which registry answers /v2/ on this server's origin. The page sends it with its requests
// there, and its worker drops what it stored for this origin when it changes (a restart with
// another REGCACHE_PROXY), before serving anything: see inspector/worker/registry-guard.ts.
export function registryIdentity(options: InspectorServerOptions): string {
  return options.proxy ? `proxy ${new URL(options.proxy).origin}` : 'embedded';
}

// What the page is told about its upstream, as <meta> tags (read by inspector/page/config.ts).
export function upstreamMeta(options: InspectorServerOptions): Array<{ name: string; content: string }> {
  const identity = { name: 'regcache-registry-id', content: registryIdentity(options) };
  if (options.proxy) {
    const host = new URL(options.proxy).host;
    return [
      { name: 'regcache-upstream', content: '/' },
      { name: 'regcache-registry-host', content: host },
      { name: 'regcache-upstream-label', content: `${host}, through this server’s proxy` },
      identity,
    ];
  }
  if (options.upstream) return [{ name: 'regcache-upstream', content: options.upstream }, identity];
  return [identity];
}

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

// The built page as this server serves it: told about its upstream as `npm start` tells it.
export function inspectorPage(html: string, options: InspectorServerOptions): string {
  const tags = upstreamMeta(options)
    .map((m) => `<meta name="${escapeAttribute(m.name)}" content="${escapeAttribute(m.content)}" />`)
    .join('');
  return html.replace('</head>', `${tags}</head>`);
}

const isPage = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://inspector.invalid').pathname === INSPECTOR_PAGE;

export function inspectorServer(options: InspectorServerOptions): Plugin {
  const middleware = inspectorMiddleware(options);
  return {
    name: 'regcache-inspector-server',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (isPage(req)) for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
        next();
      });
      server.middlewares.use(middleware);
      server.httpServer?.once('listening', () => {
        const mode = options.proxy
          ? `proxy to ${options.proxy}`
          : options.upstream
            ? `upstream ${options.upstream} (called from the page)`
            : 'embedded sample registry on /v2/';
        server.config.logger.info(`  regcache inspector: ${INSPECTOR_PAGE} · ${mode}`);
      });
    },
    configurePreviewServer(server) {
      // The built page, with this run's upstream (the build knows none) and the headers.
      server.middlewares.use((req, res, next) => {
        const file = join(options.distDir, INSPECTOR_PAGE.slice(1));
        if (!isPage(req) || (req.method !== 'GET' && req.method !== 'HEAD') || !existsSync(file)) return next();
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache', ...PAGE_HEADERS });
        res.end(req.method === 'HEAD' ? undefined : inspectorPage(readFileSync(file, 'utf8'), options));
      });
      server.middlewares.use(middleware);
    },
    transformIndexHtml(_html, context) {
      const policy: HtmlTagDescriptor = {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: PAGE_POLICY },
        injectTo: 'head-prepend',
      };
      // Built files say nothing of an upstream: whoever serves them does (preview, above).
      if (!context.server) return [policy];
      return [policy, ...upstreamMeta(options).map((attrs): HtmlTagDescriptor => ({ tag: 'meta', attrs, injectTo: 'head' }))];
    },
  };
}
