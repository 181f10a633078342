// The ready-made worker, dist/regcache-sw.js, configured by its own query string, on top
// of a query string a build may have baked in ahead of it (regcache/vite).
import { clientsClaim } from 'workbox-core';
import { Router } from 'workbox-routing';
import { mergeQuery, parseConfig } from './config.js';
import { installManifestCache } from './register.js';

declare const self: ServiceWorkerGlobalScope & { REGCACHE_QUERY?: string };

// Throws on a malformed parameter, so registration fails and names it.
const config = parseConfig(mergeQuery(self.REGCACHE_QUERY ?? '', self.location.search), self.location.origin);
// A router of its own rather than the default one keeps registerRoute's extras out.
const router = new Router();
router.addFetchListener();
installManifestCache(config, { addRoute: (route) => router.registerRoute(route) });

self.addEventListener('install', () => {
  void self.skipWaiting();
});
clientsClaim();
