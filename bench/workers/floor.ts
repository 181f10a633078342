// The floor: the least a service worker can do to answer a manifest request. The answers
// are compiled into this script (the bench builds it once the manifests are pushed), so
// a request costs one Map lookup and one Response, and a restarted floor pays for its
// own start and nothing else. The headers are the ones regcache sends, so both answers
// cross the same CORS filter.

declare const self: ServiceWorkerGlobalScope;
// Replaced at build time: each manifest once, and the URLs that answer with it.
declare const FLOOR_DATA: { manifests: Array<{ body: string; headers: [string, string][] }>; urls: Record<string, number> };

// A module for the type checker only, so `self` above is local to this file.
export {};

const encoder = new TextEncoder();
const manifests = FLOOR_DATA.manifests.map((m) => ({ body: encoder.encode(m.body), headers: m.headers }));
const answers = new Map(Object.entries(FLOOR_DATA.urls).map(([url, i]) => [url, manifests[i]!]));

self.addEventListener('install', () => {
  void self.skipWaiting();
});
self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});
self.addEventListener('fetch', (event) => {
  if (event.request.method !== 'GET') return;
  const answer = answers.get(event.request.url);
  if (!answer) return;
  event.respondWith(new Response(answer.body, { status: 200, headers: answer.headers }));
});
