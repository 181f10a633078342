// The inspector's service worker: regcache (as regcache/sw installs it, configured by this
// script's query string as the ready-made worker is), the app shell so that the inspector
// itself opens offline (shell.ts), and the guard that keeps one registry's records from
// being served for another on the page's own origin (registry-guard.ts).
import { clientsClaim } from 'workbox-core';
import { Router } from 'workbox-routing';
import { parseConfig } from '../../src/core/config.js';
import { installManifestCache } from '../../src/sw/register.js';
import { workboxRoute } from '../../src/sw/routing/workbox.js';
import { CONFIG_CACHE, isRegistryPath, REGISTRY_ID_HEADER } from '../page/offline-names.js';
import { RegistryGuard } from './registry-guard.js';
import { type PrecacheEntry, Shell } from './shell.js';

declare const self: ServiceWorkerGlobalScope;
// The build's files, written by vite.config.ts's inspector build.
declare const __INSPECTOR_PRECACHE__: PrecacheEntry[];

const params = new URLSearchParams(self.location.search);
const dev = params.get('shell') === 'dev';
params.delete('shell');

const router = new Router();
// Throws on a malformed parameter, so registration fails and names it.
const cache = installManifestCache(parseConfig(params, self.location.origin), {
  addRoute: (route) => router.registerRoute(workboxRoute(route)),
});
const shell = new Shell(__INSPECTOR_PRECACHE__, dev, router);

// Where the guard notes which registry the own origin's records came from.
const GUARD_CACHE = 'regcache-inspector-registry';
const GUARD_KEY = 'https://registry.regcache.invalid/id';
const guard = new RegistryGuard({
  async read() {
    const found = await (await caches.open(GUARD_CACHE)).match(GUARD_KEY);
    return found ? found.text() : null;
  },
  async write(id) {
    await (await caches.open(GUARD_CACHE)).put(GUARD_KEY, new Response(id));
  },
  async clear() {
    await cache.purge({ upstream: self.location.origin });
    await caches.delete(CONFIG_CACHE);
  },
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  const sameOrigin = url.origin === self.location.origin;
  if (sameOrigin && isRegistryPath(url.pathname)) {
    // Blobs and tokens go to the network untouched; manifests to regcache, behind the guard.
    if (!router.findMatchingRoute({ event, request, sameOrigin, url }).route) return;
    const id = request.headers.get(REGISTRY_ID_HEADER) ?? '';
    const answered = guard.run(id, () => router.handleRequest({ event, request }) ?? fetch(request));
    event.respondWith(answered.catch(() => fetch(request)));
    return;
  }
  const own = shell.answer(request);
  if (own) return event.respondWith(own);
  // Manifests of other origins, and the precached files.
  const answered = router.handleRequest({ event, request });
  if (answered) event.respondWith(answered);
});

self.addEventListener('install', (event) => {
  shell.install(event);
  void self.skipWaiting();
});
self.addEventListener('activate', (event) => shell.activate(event));
clientsClaim();
