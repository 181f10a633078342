// regcache/sw: regcache inside a worker of your own, next to your Workbox routes.

export { CHANNEL_NAME, PERIODIC_SYNC_TAG } from '../shared/messages.js';
export { ConfigError, DEFAULTS, type ManifestCacheOptions } from './config.js';
export { type ManifestCache, type RegisterOptions, registerManifestCache } from './register.js';
