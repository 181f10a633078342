// regcache/client: what a page uses to ask the worker what it holds and does.

import { parseConfig } from '../core/config.js';

import { acceptTypes } from '../core/http/accept.js';
import {
  CHANNEL_NAME,
  type ClientReplies,
  type ClientRequest,
  type Entry,
  type PurgeFilter,
  type RegcacheEvent,
  type RegcacheStats,
  type SweepReport,
  type WorkerReply,
} from '../core/protocol.js';

export { ConfigError } from '../core/config.js';
export { CHANNEL_NAME, PERIODIC_SYNC_TAG } from '../core/protocol.js';
export type { Entry, PurgeFilter, RegcacheEvent, RegcacheStats, SweepReport };

export interface ClientOptions {
  // A worker to talk to; by default the page's controller, or the active worker once ready.
  worker?: ServiceWorker;
  timeoutMs?: number;
}

export class RegcacheError extends Error {
  override name = 'RegcacheError';
}

async function findWorker(): Promise<ServiceWorker> {
  if (!('serviceWorker' in navigator)) throw new RegcacheError('this browser has no service workers');
  const registration = await navigator.serviceWorker.ready;
  const worker = navigator.serviceWorker.controller ?? registration.active;
  if (!worker) throw new RegcacheError('no active regcache worker for this page');
  return worker;
}

export class RegcacheClient {
  constructor(private readonly options: ClientOptions = {}) {}

  private async ask<T extends ClientRequest['type']>(request: ClientRequest & { type: T }): Promise<ClientReplies[T]> {
    const worker = this.options.worker ?? (await findWorker());
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const channel = new MessageChannel();
    return new Promise<ClientReplies[T]>((resolve, reject) => {
      const timer = setTimeout(() => {
        channel.port1.close();
        reject(new RegcacheError(`the worker did not answer ${request.type}() within ${timeoutMs} ms`));
      }, timeoutMs);
      channel.port1.onmessage = (event: MessageEvent<WorkerReply>) => {
        clearTimeout(timer);
        channel.port1.close();
        const reply = event.data;
        if (reply.ok) resolve(reply.result as ClientReplies[T]);
        else reject(new RegcacheError(`${request.type}() failed in the worker: ${reply.error}`));
      };
      worker.postMessage({ regcache: request }, [channel.port2]);
    });
  }

  stats(): Promise<RegcacheStats> {
    return this.ask({ type: 'stats' });
  }

  async entries(): Promise<Entry[]> {
    // Tag keys name known media types by code; they are spelt out here, not in the worker.
    const entries = await this.ask({ type: 'entries' });
    return entries.map((e) => (e.accept === undefined ? e : { ...e, accept: acceptTypes(e.accept).join(',') }));
  }

  // Deletes the records matching every given field; a reference is a tag or a digest.
  purge(filter: PurgeFilter): Promise<{ deleted: number }> {
    return this.ask({ type: 'purge', filter });
  }

  clear(): Promise<{ deleted: number }> {
    return this.ask({ type: 'clear' });
  }

  sweep(): Promise<SweepReport> {
    return this.ask({ type: 'sweep' });
  }

  // Tag moves and expiries, from every worker of this origin. Returns an unsubscribe.
  onEvent(listener: (event: RegcacheEvent) => void): () => void {
    const channel = new BroadcastChannel(CHANNEL_NAME);
    channel.onmessage = (event: MessageEvent<RegcacheEvent>) => listener(event.data);
    return () => channel.close();
  }
}

// Registers the ready-made worker. Browsers report a worker that throws during start-up
// only as "script evaluation failed", so the query string is checked here first, with
// the worker's own parser, and a malformed value is reported by name.
export async function registerWorker(scriptUrl: string, options?: RegistrationOptions): Promise<ServiceWorkerRegistration> {
  const url = new URL(scriptUrl, location.href);
  parseConfig(url.search, url.origin);
  return navigator.serviceWorker.register(url.href, options);
}

export function createClient(options?: ClientOptions): RegcacheClient {
  return new RegcacheClient(options);
}
