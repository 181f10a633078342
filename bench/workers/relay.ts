// The relay: a bare worker that answers each manifest request by fetching it itself, with
// the page's Accept and nothing else, past the HTTP cache. It does no less than any worker
// that asks upstream must, so at +0 ms it is the limit a re-checking cache can reach.

declare const self: ServiceWorkerGlobalScope;

// A module for the type checker only, so `self` above is local to this file.
export {};

const MANIFEST_PATH = /^\/v2\/.+\/manifests\/[^/]+$/;

self.addEventListener('install', () => {
  void self.skipWaiting();
});
self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});
self.addEventListener('fetch', (event) => {
  const { request } = event;
  if ((request.method !== 'GET' && request.method !== 'HEAD') || !MANIFEST_PATH.test(new URL(request.url).pathname)) return;
  const accept = request.headers.get('Accept');
  event.respondWith(fetch(request.url, { method: request.method, headers: accept === null ? {} : { accept }, cache: 'no-store' }));
});
