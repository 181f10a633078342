// Where a request enters: which fetches regcache answers, and which it leaves alone.

import type { HTTPMethod } from 'workbox-routing/utils/constants.js';
import { coversOrigin, type RegcacheConfig } from '../../core/config.js';
import { type ManifestTarget, parseManifestUrl } from '../../core/oci/grammar.js';
import type { ManifestStrategy } from '../strategy/manifest-strategy.js';

const WRITE_METHODS = ['PUT', 'DELETE', 'POST', 'PATCH'] as const;

/**
 * One of regcache's routes, as plain data: what a workbox-routing `Route` is made of
 * (routing/workbox.ts makes one), and what the ready-made worker dispatches itself.
 */
export interface ManifestRoute {
  method: HTTPMethod;
  /** The manifest a URL names, when it is one regcache answers for; false otherwise. */
  match(options: { url: URL }): ManifestTarget | false;
  /** Answers a request `match` accepted; `event` keeps the worker up until its counters (and any background re-check) are done. */
  handler(options: { request: Request; params: ManifestTarget; event?: ExtendableEvent }): Promise<Response>;
}

// `written` settles once what a read leaves to write afterwards (counters, last uses, expiry
// extensions) has been written: the read's event lasts until then.
export function manifestRoutes(config: RegcacheConfig, strategy: ManifestStrategy, written: () => Promise<unknown>): ManifestRoute[] {
  // The match result reaches the handler as `params`, so the URL is parsed once.
  const match: ManifestRoute['match'] = ({ url }) => {
    const target = parseManifestUrl(url);
    return target && coversOrigin(config, target.upstream) ? target : false;
  };
  const read: ManifestRoute['handler'] = ({ request, params, event }) => {
    const extend = (work: Promise<unknown>) => event?.waitUntil(work.then(written, written));
    const answer = strategy.handle(request, params, extend).catch((error: unknown) => {
      // A fault of regcache's own must not cost the page its answer: go as if it weren't here.
      console.error('regcache: answering from the network after an internal error', error);
      return fetch(request);
    });
    // Keep the worker up until this request's writes have landed, and any background
    // re-check it started (`swr`) has run and been counted.
    extend(answer);
    return answer;
  };
  const write: ManifestRoute['handler'] = ({ request, params }) => strategy.write(request, params);
  return [
    { method: 'GET', match, handler: read },
    { method: 'HEAD', match, handler: read },
    ...WRITE_METHODS.map((method) => ({ method, match, handler: write })),
  ];
}
