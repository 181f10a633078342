// The app's own service worker: Workbox precaching and a route of its own, with regcache
// added to the same (default) workbox-routing router.
import { registerManifestCache } from 'regcache/sw';
import { precacheAndRoute } from 'workbox-precaching';
import { registerRoute } from 'workbox-routing';

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

registerManifestCache({ upstreams: [__REGCACHE_UPSTREAM__], ttl: __REGCACHE_TTL__ });

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
