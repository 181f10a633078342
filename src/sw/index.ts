// The ready-made worker, dist/regcache-sw.js, configured by its own query string.
import { clientsClaim } from 'workbox-core';
import { parseConfig } from './config.js';
import { installManifestCache } from './register.js';

declare const self: ServiceWorkerGlobalScope;

// Throws on a malformed parameter, so registration fails and names it.
const config = parseConfig(self.location.search, self.location.origin);
installManifestCache(config);

self.addEventListener('install', () => {
  void self.skipWaiting();
});
clientsClaim();
