// Wires regcache into a worker: its routes on a workbox-routing Router, and the
// lifecycle hooks that enforce expiry without page traffic.
import { type Route, type Router, registerRoute } from 'workbox-routing';
import { type ManifestCacheOptions, type RegcacheConfig, resolveOptions } from '../core/config.js';
import { PERIODIC_SYNC_TAG } from '../core/protocol.js';
import type { Clock } from './housekeeping/expiry.js';
import { Maintenance } from './housekeeping/maintenance.js';
import { Events } from './reporting/events.js';
import { listenForClients } from './reporting/messages.js';
import { Stats } from './reporting/stats.js';
import { manifestRoutes } from './routing/routes.js';
import { Recency } from './storage/recency.js';
import { ManifestStore } from './storage/store.js';
import { ManifestStrategy } from './strategy/manifest-strategy.js';

declare const self: ServiceWorkerGlobalScope;

const SYNC_INTERVAL_MS = 12 * 60 * 60 * 1000;

export interface ManifestCache {
  strategy: ManifestStrategy;
  store: ManifestStore;
  stats: Stats;
  maintenance: Maintenance;
  // The start-up sweep.
  ready: Promise<unknown>;
}

export interface RegisterOptions extends ManifestCacheOptions {
  // A Router of the host worker's own; by default workbox-routing's default router,
  // which adds its fetch listener itself.
  router?: Router;
}

interface PeriodicSyncEvent extends ExtendableEvent {
  tag: string;
}

// Chromium grants periodic sync to installed web apps only; elsewhere this is a no-op.
async function registerPeriodicSweep(): Promise<void> {
  const periodicSync = (self.registration as { periodicSync?: { register(tag: string, o: object): Promise<void> } }).periodicSync;
  if (!periodicSync) return;
  try {
    const status = await self.navigator.permissions.query({ name: 'periodic-background-sync' as PermissionName });
    if (status.state === 'granted') await periodicSync.register(PERIODIC_SYNC_TAG, { minInterval: SYNC_INTERVAL_MS });
  } catch {
    // Not granted or not supported: the alarm and the start-up sweep still run.
  }
}

// Adds regcache to this worker: call it during the worker script's first evaluation,
// as service workers only take event listeners added then.
export function registerManifestCache(options: RegisterOptions = {}): ManifestCache {
  const { router, ...rest } = options;
  const addRoute = router ? (route: Route) => router.registerRoute(route) : registerRoute;
  return installManifestCache(resolveOptions(rest, self.location.origin), { addRoute });
}

export function installManifestCache(config: RegcacheConfig, options: { addRoute: (route: Route) => void; now?: Clock }): ManifestCache {
  const now = options.now ?? Date.now;
  const store = new ManifestStore();
  const stats = new Stats(store);
  const recency = new Recency(store);
  const events = new Events();
  const maintenance = new Maintenance({ store, stats, recency, events, maxBytes: config.maxBytes, now });
  const strategy = new ManifestStrategy({ config, store, stats, recency, maintenance, events, now });
  for (const route of manifestRoutes(config, strategy, stats)) options.addRoute(route);

  // Each start of the script sweeps, which also honours an alarm that fell due while
  // the worker was stopped, and re-arms it.
  const ready = maintenance.sweep().catch(() => undefined);
  self.addEventListener('activate', (event) => {
    event.waitUntil(Promise.all([maintenance.sweep(), registerPeriodicSweep()]));
  });
  self.addEventListener('periodicsync', (event) => {
    const sync = event as PeriodicSyncEvent;
    if (sync.tag === PERIODIC_SYNC_TAG) sync.waitUntil(maintenance.sweep());
  });
  listenForClients({ store, stats, maintenance, ready });
  return { strategy, store, stats, maintenance, ready };
}
