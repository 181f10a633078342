// Wires regcache into a worker: its routes (to a workbox-routing Router, or the ready-made
// worker's own dispatch), and the lifecycle hooks that enforce expiry without page traffic.
import type { RegcacheConfig } from '../core/config.js';
import { PERIODIC_SYNC_TAG, type PurgeFilter } from '../core/protocol.js';
import type { Clock } from './housekeeping/expiry.js';
import { Maintenance } from './housekeeping/maintenance.js';
import type { ManifestCache } from './index.js';
import { Events } from './reporting/events.js';
import { listenForClients } from './reporting/messages.js';
import { Stats } from './reporting/stats.js';
import { type ManifestRoute, manifestRoutes } from './routing/routes.js';
import { Recency } from './storage/recency.js';
import { ManifestStore } from './storage/store.js';
import { ManifestStrategy } from './strategy/manifest-strategy.js';

declare const self: ServiceWorkerGlobalScope;

const SYNC_INTERVAL_MS = 12 * 60 * 60 * 1000;

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

// The handle, and purge() for this repository's own host worker: the inspector's drops
// its origin's records when the registry behind that origin changes (inspector/worker/).
export interface InstalledManifestCache extends ManifestCache {
  purge(filter: PurgeFilter): Promise<unknown>;
}

// regcache in this worker, with a checked configuration: registerManifestCache() (regcache/sw),
// which hands out the public handle only, and the ready-made worker both come here.
export function installManifestCache(
  config: RegcacheConfig,
  options: { addRoute: (route: ManifestRoute) => void; now?: Clock },
): InstalledManifestCache {
  const now = options.now ?? Date.now;
  const store = new ManifestStore();
  const stats = new Stats(store);
  const recency = new Recency(store);
  const events = new Events();
  const maintenance = new Maintenance({ store, stats, recency, events, maxBytes: config.maxBytes, now });
  const strategy = new ManifestStrategy({ config, store, stats, recency, maintenance, events, now });
  // Each read's event lasts until its counters, last uses and expiry extensions are written.
  const written = () => Promise.all([stats.idle(), recency.idle()]);
  for (const route of manifestRoutes(config, strategy, written)) options.addRoute(route);

  // Each start of the script sweeps, which also honours an alarm that fell due while
  // the worker was stopped, and re-arms it.
  const ready = maintenance.sweep().then(
    () => undefined,
    () => undefined,
  );
  self.addEventListener('activate', (event) => {
    event.waitUntil(Promise.all([maintenance.sweep(), registerPeriodicSweep()]));
  });
  self.addEventListener('periodicsync', (event) => {
    const sync = event as PeriodicSyncEvent;
    if (sync.tag === PERIODIC_SYNC_TAG) sync.waitUntil(maintenance.sweep());
  });
  listenForClients({ store, stats, maintenance, ready, recency });
  return { ready, sweep: () => maintenance.sweep(), purge: (filter) => store.purge(filter) };
}
