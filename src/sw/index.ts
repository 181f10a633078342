// regcache/sw: regcache inside a worker of your own, next to your Workbox routes.
export { registerManifestCache, type ManifestCache, type RegisterOptions } from './register.js';
export { ConfigError, DEFAULTS, type ManifestCacheOptions } from './config.js';
export { CHANNEL_NAME, PERIODIC_SYNC_TAG } from '../shared/messages.js';
