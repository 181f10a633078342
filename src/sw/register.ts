// Wires regcache into a worker: its routes on a workbox-routing Router.
import { Router } from 'workbox-routing';
import type { RegcacheConfig } from './config.js';
import type { Clock } from './expiry.js';
import { ManifestStrategy } from './manifest-strategy.js';
import { addRoutes, manifestRoutes } from './routing.js';
import { ManifestStore } from './store.js';

export interface ManifestCache {
  router: Router;
  strategy: ManifestStrategy;
  store: ManifestStore;
}

export function installManifestCache(config: RegcacheConfig, options: { router?: Router; now?: Clock } = {}): ManifestCache {
  const store = new ManifestStore();
  const strategy = new ManifestStrategy({ config, store, now: options.now });
  const router = options.router ?? new Router();
  addRoutes(router, manifestRoutes(config, strategy));
  if (!options.router) router.addFetchListener();
  return { router, strategy, store };
}
