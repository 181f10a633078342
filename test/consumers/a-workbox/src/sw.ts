// The app's own service worker: Workbox precaching, routes of its own (one the usual
// expiring image cache, which brings idb along), with regcache added to the same
// (default) workbox-routing router.
import { registerManifestCache } from 'regcache/sw';
import { ExpirationPlugin } from 'workbox-expiration';
import { precacheAndRoute } from 'workbox-precaching';
import { registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';

declare const self: ServiceWorkerGlobalScope;
// Baked in by vite.config.ts.
declare const __REGCACHE_UPSTREAM__: string;
declare const __REGCACHE_TTL__: number;

// Hand-listed: these names carry no content hash, so the revision tells Workbox when they change.
precacheAndRoute([
  { url: 'index.html', revision: 'a-1' },
  { url: 'precached.txt', revision: 'a-1' },
]);

registerRoute(
  ({ url }) => url.origin === self.location.origin && url.pathname.endsWith('/api/whoami'),
  async () => new Response(JSON.stringify({ worker: 'consumer-a' }), { headers: { 'Content-Type': 'application/json' } }),
);

registerRoute(
  ({ request }) => request.destination === 'image',
  new CacheFirst({ cacheName: 'consumer-a-images', plugins: [new ExpirationPlugin({ maxEntries: 50, maxAgeSeconds: 86_400 })] }),
);

registerManifestCache({ upstreams: [__REGCACHE_UPSTREAM__], ttl: __REGCACHE_TTL__ });

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
