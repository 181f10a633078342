// regcache's routes as workbox-routing Routes, for a Workbox Router (regcache/sw, the
// inspector's worker). The ready-made worker dispatches them itself and bundles no Route.
import { Route } from 'workbox-routing';
import type { ManifestRoute } from './routes.js';

export const workboxRoute = ({ match, handler, method }: ManifestRoute): Route => new Route(match, handler, method);
