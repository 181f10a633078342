// The inspector's service worker: regcache's ready-made worker, unchanged, plus the app
// shell, so that the inspector itself opens offline. regcache answers manifest requests
// and leaves every other request alone; this script answers the page's own files.
import { isRegistryPath, SHELL_CACHE } from '../page/offline-names.js';

declare const self: ServiceWorkerGlobalScope;

// Runs dist/regcache-sw.js in this worker. It reads its configuration from this
// worker's own query string (self.location), so the parameters pass straight through.
self.importScripts(new URL('regcache-sw.js', self.location.href).href);

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
  const cache = await caches.open(SHELL_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') await cache.put(shellKey(request), response.clone());
    return response;
  } catch (error) {
    const stored = await cache.match(shellKey(request));
    if (stored) return stored;
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (isRegistryPath(url.pathname) || url.pathname.endsWith('-sw.js')) return;
  event.respondWith(fromNetworkOrShell(request));
});
