// Where a request enters: which fetches regcache answers, and which it leaves alone.

import type { RouteHandlerCallback, RouteMatchCallback } from 'workbox-core/types.js';
import { Route } from 'workbox-routing';
import { coversOrigin, type RegcacheConfig } from '../../core/config.js';
import { type ManifestTarget, parseManifestUrl } from '../../core/oci/grammar.js';
import type { ManifestStrategy } from '../strategy/manifest-strategy.js';

const WRITE_METHODS = ['PUT', 'DELETE', 'POST', 'PATCH'] as const;

// `written` settles once what a read leaves to write afterwards (counters, last uses, expiry
// extensions) has been written: the read's event lasts until then.
export function manifestRoutes(config: RegcacheConfig, strategy: ManifestStrategy, written: () => Promise<unknown>): Route[] {
  // The match result reaches the handler as `params`, so the URL is parsed once.
  const match: RouteMatchCallback = ({ url }) => {
    const target = parseManifestUrl(url);
    return target && coversOrigin(config, target.upstream) ? target : false;
  };
  const read: RouteHandlerCallback = ({ request, params, event }) => {
    const extend = (work: Promise<unknown>) => (event as ExtendableEvent | undefined)?.waitUntil(work.then(written, written));
    const answer = strategy.handle(request, params as unknown as ManifestTarget, extend).catch((error: unknown) => {
      // A fault of regcache's own must not cost the page its answer: go as if it weren't here.
      console.error('regcache: answering from the network after an internal error', error);
      return fetch(request);
    });
    // Keep the worker up until this request's writes have landed, and any background
    // re-check it started (`swr`) has run and been counted.
    extend(answer);
    return answer;
  };
  const write: RouteHandlerCallback = ({ request, params }) => strategy.write(request, params as unknown as ManifestTarget);
  return [new Route(match, read, 'GET'), new Route(match, read, 'HEAD'), ...WRITE_METHODS.map((method) => new Route(match, write, method))];
}
