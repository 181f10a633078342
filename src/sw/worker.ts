// The ready-made worker, dist/regcache-sw.js, configured by its own query string, on top
// of a query string a build may have baked in ahead of it (regcache/vite).
import { mergeQuery, parseConfig } from '../core/config.js';
import { installManifestCache } from './register.js';
import type { ManifestRoute } from './routing/routes.js';

declare const self: ServiceWorkerGlobalScope & { REGCACHE_QUERY?: string };

// Throws on a malformed parameter, so registration fails and names it.
const config = parseConfig(mergeQuery(self.REGCACHE_QUERY ?? '', self.location.search), self.location.origin);

// regcache's routes, dispatched by this listener rather than a workbox Router: this worker
// has no other routes, and workbox-routing (Router and Route, with workbox-core) would cost
// about 1 KB of its 12 KiB budget.
const routes: ManifestRoute[] = [];
installManifestCache(config, { addRoute: (route) => routes.push(route) });
self.addEventListener('fetch', (event) => {
  const { request } = event;
  // One route per method, all matching the same URLs.
  const route = routes.find((r) => r.method === request.method);
  if (!route) return;
  const params = route.match({ url: new URL(request.url) });
  if (params) event.respondWith(route.handler({ request, params, event }));
});

self.addEventListener('install', () => {
  void self.skipWaiting();
});
// Takes the open pages over once active, as workbox-core's clientsClaim() does.
self.addEventListener('activate', () => self.clients.claim());
