// The ready-made worker, dist/regcache-sw.js, configured by its own query string, on top
// of a query string a build may have baked in ahead of it (regcache/vite).
import type { Route } from 'workbox-routing';
import { mergeQuery, parseConfig } from '../core/config.js';
import { installManifestCache } from './register.js';

declare const self: ServiceWorkerGlobalScope & { REGCACHE_QUERY?: string };

// Throws on a malformed parameter, so registration fails and names it.
const config = parseConfig(mergeQuery(self.REGCACHE_QUERY ?? '', self.location.search), self.location.origin);

// regcache's workbox Routes, dispatched by this listener rather than a workbox Router: this
// worker has no other routes, and Router's extras (default and catch handlers, cache-URL
// messages) would cost 0.6 KB of its 12 KiB budget.
const routes: Route[] = [];
installManifestCache(config, { addRoute: (route) => routes.push(route) });
self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  const sameOrigin = url.origin === self.location.origin;
  for (const route of routes) {
    const params = route.method === request.method && route.match({ url, request, event, sameOrigin });
    if (params) {
      event.respondWith(route.handler.handle({ url, request, event, params }));
      return;
    }
  }
});

self.addEventListener('install', () => {
  void self.skipWaiting();
});
// What workbox-core's clientsClaim() does, without pulling workbox-core's module in.
self.addEventListener('activate', () => self.clients.claim());
