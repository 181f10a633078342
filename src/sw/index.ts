// regcache/sw: regcache inside a worker of your own, next to your Workbox routes.

export { ConfigError, DEFAULTS, type ManifestCacheOptions } from '../core/config.js';
export { CHANNEL_NAME, PERIODIC_SYNC_TAG } from '../core/protocol.js';
export { type ManifestCache, type RegisterOptions, registerManifestCache } from './register.js';
