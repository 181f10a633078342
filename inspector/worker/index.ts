// The inspector's service worker: regcache (as regcache/sw installs it, configured by this
// script's query string as the ready-made worker is), plus the app shell, so that the
// inspector itself opens offline, and the guard that keeps one registry's records from
// being served for another on the page's own origin (registry-guard.ts). regcache answers
// manifest requests; this script answers the page's own files.
import { clientsClaim } from 'workbox-core';
import { Router } from 'workbox-routing';
import { parseConfig } from '../../src/core/config.js';
import { installManifestCache } from '../../src/sw/register.js';
import { CONFIG_CACHE, isRegistryPath, REGISTRY_ID_HEADER, SHELL_CACHE } from '../page/offline-names.js';
import { RegistryGuard } from './registry-guard.js';

declare const self: ServiceWorkerGlobalScope;

const router = new Router();
// Throws on a malformed parameter, so registration fails and names it.
const cache = installManifestCache(parseConfig(self.location.search, self.location.origin), {
  addRoute: (route) => router.registerRoute(route),
});

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

// A navigation to the page with any ?ref= is the same document.
function shellKey(request: Request): string {
  const url = new URL(request.url);
  if (request.mode === 'navigate') url.search = '';
  url.hash = '';
  return url.href;
}

// Network first, so a running server always wins and a fresh build is picked up; the
// stored copy answers when the network cannot.
async function fromNetworkOrShell(request: Request): Promise<Response> {
  const shell = await caches.open(SHELL_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') await shell.put(shellKey(request), response.clone());
    return response;
  } catch (error) {
    const stored = await shell.match(shellKey(request));
    if (stored) return stored;
    throw error;
  }
}

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
  // Manifests of other origins.
  const answered = router.handleRequest({ event, request });
  if (answered) return event.respondWith(answered);
  if (request.method !== 'GET' || !sameOrigin || url.pathname.endsWith('-sw.js')) return;
  event.respondWith(fromNetworkOrShell(request));
});

self.addEventListener('install', () => {
  void self.skipWaiting();
});
clientsClaim();
