// The HEAD relay: the least a re-checking cache can do. Each manifest GET by tag sends a
// HEAD upstream with the page's Accept (as the relay does, past the HTTP cache), then answers
// with the manifest the HEAD named, from memory (as the floor does). Next to the relay (a
// GET), it shows what asking with a HEAD costs, apart from anything regcache does.

declare const self: ServiceWorkerGlobalScope;
// Replaced at build time, as in floor.ts.
declare const FLOOR_DATA: { manifests: Array<{ body: string; headers: [string, string][] }>; urls: Record<string, number> };

export {};

const MANIFEST_PATH = /^\/v2\/.+\/manifests\/[^/]+$/;
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
  const { request } = event;
  if (request.method !== 'GET' || !MANIFEST_PATH.test(new URL(request.url).pathname)) return;
  const accept = request.headers.get('Accept');
  event.respondWith(
    fetch(request.url, { method: 'HEAD', headers: accept === null ? {} : { accept }, cache: 'no-store' }).then((head) => {
      const digest = head.headers.get('Docker-Content-Digest') ?? '';
      const answer = answers.get(request.url.replace(/[^/]+$/, digest));
      return answer ? new Response(answer.body, { headers: answer.headers }) : Response.error();
    }),
  );
});
