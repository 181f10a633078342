// What a page would otherwise pick: Workbox's CacheFirst with an ExpirationPlugin over the
// same manifest URLs. Entries live as long as regcache's default ttl.

import { clientsClaim } from 'workbox-core';
import { ExpirationPlugin } from 'workbox-expiration';
import { registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';

declare const self: ServiceWorkerGlobalScope;

const MANIFEST_PATH = /^\/v2\/.+\/manifests\/[^/]+$/;

registerRoute(
  ({ url }) => MANIFEST_PATH.test(url.pathname),
  new CacheFirst({
    cacheName: 'manifests',
    plugins: [new ExpirationPlugin({ maxEntries: 10_000, maxAgeSeconds: 7 * 24 * 60 * 60 })],
  }),
);

self.addEventListener('install', () => {
  void self.skipWaiting();
});
clientsClaim();
