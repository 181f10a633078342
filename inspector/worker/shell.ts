// The inspector's app shell, so that it opens offline, and nothing else of its origin:
// - the built files (dist/inspector.html, dist/assets/, favicon.svg), precached from the
//   build's manifest with workbox-precaching;
// - navigations to the app's page, network first (the server writes which registry answers
//   on its origin into the page, so a fresh copy always wins), the last one kept for offline;
// - under `npm start` (shell=dev), where the page is Vite's source modules and there is no
//   build manifest: the scripts, styles, pages and images the page loads, network first.
// Never a fetch() answer of JSON (a token), never a registry path, never `no-store`.
import { PrecacheController, PrecacheRoute } from 'workbox-precaching';
import type { Router } from 'workbox-routing';
import { SHELL_CACHE } from '../page/offline-names.js';

declare const self: ServiceWorkerGlobalScope;

export interface PrecacheEntry {
  url: string;
  revision: string | null;
}

// Types of files a page is made of, kept under `npm start`.
const SHELL_TYPES = /^(text\/(javascript|css|html)|application\/javascript|image\/|font\/)/;

function keepable(response: Response, types: RegExp): boolean {
  return (
    response.ok &&
    response.type === 'basic' &&
    !response.redirected &&
    !/no-store/i.test(response.headers.get('Cache-Control') ?? '') &&
    types.test(response.headers.get('Content-Type') ?? '')
  );
}

export class Shell {
  private readonly precache = new PrecacheController({ cacheName: 'regcache-inspector-precache' });
  // The app's page, which navigations may reach with any query.
  private readonly page: URL;

  constructor(
    entries: PrecacheEntry[],
    private readonly dev: boolean,
    router: Router,
  ) {
    this.page = new URL('inspector.html', self.location.href);
    if (!dev) {
      this.precache.addToCacheList(entries);
      router.registerRoute(new PrecacheRoute(this.precache, { directoryIndex: '', cleanURLs: false }));
    }
  }

  install(event: ExtendableEvent): void {
    if (!this.dev) void this.precache.install(event);
  }

  activate(event: ExtendableEvent): void {
    if (!this.dev) void this.precache.activate(event);
    event.waitUntil(this.dropStrays());
  }

  // A navigation to the app's page, or (under `npm start`) a file the page loads: answered
  // here; anything else is left to the network.
  answer(request: Request): Promise<Response> | null {
    const url = new URL(request.url);
    if (request.method !== 'GET' || url.origin !== self.location.origin) return null;
    if (request.mode === 'navigate') return url.pathname === this.page.pathname ? this.networkFirst(request, /^text\/html/) : null;
    return this.dev ? this.networkFirst(request, SHELL_TYPES) : null;
  }

  private key(request: Request): string {
    const url = new URL(request.url);
    // A navigation to the page with any ?ref= is the same document.
    if (request.mode === 'navigate') url.search = '';
    url.hash = '';
    return url.href;
  }

  private async networkFirst(request: Request, types: RegExp): Promise<Response> {
    const cache = await caches.open(SHELL_CACHE);
    try {
      const response = await fetch(request);
      if (keepable(response, types)) await cache.put(this.key(request), response.clone());
      return response;
    } catch (error) {
      const stored =
        (await cache.match(this.key(request))) ??
        (request.mode === 'navigate' ? await this.precache.matchPrecache(this.page.href) : undefined);
      if (stored) return stored;
      throw error;
    }
  }

  // Entries an earlier worker kept that this one would not (it kept every same-origin GET,
  // token answers included).
  private async dropStrays(): Promise<void> {
    const cache = await caches.open(SHELL_CACHE);
    for (const request of await cache.keys()) {
      const url = new URL(request.url);
      const response = await cache.match(request);
      const keep = this.dev ? response && keepable(response, SHELL_TYPES) : url.pathname === this.page.pathname && url.search === '';
      if (!keep) await cache.delete(request);
    }
  }
}
