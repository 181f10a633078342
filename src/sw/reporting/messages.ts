// Answers the page client (regcache/client) over the MessageChannel port it sends.
import type { ClientReplies, ClientRequest, PurgeFilter, WorkerReply } from '../../core/protocol.js';
import type { Maintenance } from '../housekeeping/maintenance.js';
import type { Recency } from '../storage/recency.js';
import type { ManifestStore } from '../storage/store.js';
import type { Stats } from './stats.js';

declare const self: ServiceWorkerGlobalScope;

const FILTER_KEYS = new Set(['upstream', 'repository', 'reference']);

export function validateFilter(filter: unknown): PurgeFilter {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw new TypeError('purge() takes an object such as { repository: "library/alpine" }');
  }
  for (const [key, value] of Object.entries(filter)) {
    if (!FILTER_KEYS.has(key)) throw new TypeError(`purge(): unknown filter key "${key}" (known: upstream, repository, reference)`);
    if (value !== undefined && typeof value !== 'string') throw new TypeError(`purge(): "${key}" must be a string`);
  }
  return filter as PurgeFilter;
}

export interface MessageDeps {
  store: ManifestStore;
  stats: Stats;
  maintenance: Maintenance;
  // Settles when the start-up sweep is done: nothing expired is listed before it.
  ready: Promise<unknown>;
  // Pending last uses and expiry extensions, written before a client reads the store.
  recency: Pick<Recency, 'flush'>;
}

export async function answer(request: ClientRequest, deps: MessageDeps): Promise<ClientReplies[keyof ClientReplies]> {
  await deps.ready;
  await deps.recency.flush();
  switch (request.type) {
    case 'stats':
      return deps.stats.snapshot();
    case 'entries':
      return deps.store.entries();
    case 'purge': {
      const result = await deps.store.purge(validateFilter(request.filter));
      return { deleted: result.manifests.length + result.tags.length };
    }
    case 'clear':
      return { deleted: await deps.store.clear() };
    case 'sweep':
      return deps.maintenance.sweep();
    default:
      throw new TypeError(`unknown request ${JSON.stringify((request as { type?: unknown }).type)}`);
  }
}

export function listenForClients(deps: MessageDeps): void {
  self.addEventListener('message', (event) => {
    const data = event.data as { regcache?: ClientRequest } | null;
    const port = event.ports[0];
    // Other messages belong to the host worker's own code.
    if (!data || typeof data !== 'object' || !data.regcache || !port) return;
    event.waitUntil(
      answer(data.regcache, deps)
        .then(
          (result): WorkerReply => ({ ok: true, result }),
          (error: unknown): WorkerReply => ({ ok: false, error: error instanceof Error ? error.message : String(error) }),
        )
        .then((reply) => port.postMessage(reply)),
    );
  });
}
