// Names the page and the inspector's worker agree on. No DOM or worker types here: both
// sides import it.

// The app shell (page, scripts, styles), kept so that the inspector opens offline.
export const SHELL_CACHE = 'regcache-inspector-shell';
// Image config blobs the inspector viewed, keyed by digest (see config-store.ts).
export const CONFIG_CACHE = 'regcache-inspector-configs';
// The dev server's own endpoints, next to the registry's /v2/.
export const REGCACHE_PATH_PREFIX = '/_regcache/';
// Where the dev server's proxy mode answers the token requests it rewrote realms to.
export const TOKEN_PROXY_PATH = `${REGCACHE_PATH_PREFIX}token`;
// Sent by the page with its requests to a registry on its own origin: which registry the
// server said answers there (the <meta name="regcache-registry-id"> it wrote).
export const REGISTRY_ID_HEADER = 'Regcache-Registry';

// Requests that belong to registries, not to the app: never part of the shell.
export function isRegistryPath(pathname: string): boolean {
  return pathname.startsWith('/v2/') || pathname === '/v2' || pathname.startsWith(REGCACHE_PATH_PREFIX);
}
