// regcache's routes as workbox-routing Routes, for a Workbox Router (regcache/sw, the
// inspector's worker). The ready-made worker dispatches them itself and bundles no Route.
import type { RouteHandlerCallback, RouteMatchCallback } from 'workbox-core/types.js';
import { Route } from 'workbox-routing';
import type { ManifestRoute } from './routes.js';

// A Router calls `match` with more than the URL, and hands its answer to the handler as
// `params`, as ManifestRoute expects.
export const workboxRoute = ({ match, handler, method }: ManifestRoute): Route =>
  new Route(match as RouteMatchCallback, handler as unknown as RouteHandlerCallback, method);
