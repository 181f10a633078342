// regcache/sw: regcache inside a worker of your own, next to your Workbox routes.
import { type Router, registerRoute } from 'workbox-routing';
import { type ManifestCacheOptions, resolveOptions } from '../core/config.js';
import type { SweepReport } from '../core/protocol.js';
import { installManifestCache } from './register.js';
import type { ManifestRoute } from './routing/routes.js';
import { workboxRoute } from './routing/workbox.js';

export { ConfigError, DEFAULTS, type ManifestCacheOptions } from '../core/config.js';
export { CHANNEL_NAME, PERIODIC_SYNC_TAG, type SweepReport } from '../core/protocol.js';

declare const self: ServiceWorkerGlobalScope;

/** {@link registerManifestCache}'s options: the ready-made worker's, and a router of your own. */
export interface RegisterOptions extends ManifestCacheOptions {
  /**
   * A workbox-routing `Router` of your own to add regcache's routes to; call its
   * `addFetchListener()` yourself.
   * @defaultValue workbox-routing's default router (the one its `registerRoute()` uses),
   * which adds its own `fetch` listener
   */
  router?: Router;
}

/** What {@link registerManifestCache} returns: regcache in this worker. */
export interface ManifestCache {
  /**
   * Settles when the start-up sweep of expired records is done (it never rejects). The
   * page client's calls wait for it too.
   */
  ready: Promise<void>;
  /**
   * Deletes expired records now, as the page client's `sweep()` does; concurrent calls
   * share one sweep.
   */
  sweep(): Promise<SweepReport>;
}

/**
 * Adds regcache to the worker that calls it: routes for manifest requests to the
 * configured upstreams (`GET` and `HEAD` answered from the cache; `PUT`, `DELETE`, `POST`
 * and `PATCH` forwarded, a 2xx dropping what is stored), a sweep of expired records now
 * and in `activate`, an alarm for the next expiry, `periodicsync` where granted, and the
 * `message` listener that answers `regcache/client`.
 *
 * Call it once, at the top level of the worker script (service workers only take
 * listeners added during its first evaluation), and before any catch-all route of yours.
 * It does not call `skipWaiting()` or `clients.claim()`.
 *
 * @param options - `upstreams`, `ttl` (seconds, default 604800), `fresh` (seconds,
 *   default 0), `timeout` (milliseconds, default 3000), `maxBytes` (bytes, default 64 MiB)
 *   and `router`.
 * @throws {@link ConfigError} naming a malformed option, before anything is registered.
 */
export function registerManifestCache(options: RegisterOptions = {}): ManifestCache {
  const { router, ...rest } = options;
  const addRoute = (route: ManifestRoute) => (router ? router.registerRoute(workboxRoute(route)) : registerRoute(workboxRoute(route)));
  const { ready, sweep } = installManifestCache(resolveOptions(rest, self.location.origin), { addRoute });
  return { ready, sweep };
}
