// regcache/vite: emits the ready-made worker into a Vite build, with options baked in,
// and serves the same file from `vite dev`.
import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';
import { type ManifestCacheOptions, optionsToQuery, resolveOptions } from '../core/config.js';

/** {@link regcache}'s options: where the worker goes, and the options baked into it. */
export interface RegcacheViteOptions extends ManifestCacheOptions {
  /**
   * Where the worker lands in the build output, and where `vite` dev serves it under
   * `base`: a relative path ending in `.js`, without `..`.
   * @defaultValue `'regcache-sw.js'`
   */
  fileName?: string;
}

export { ConfigError } from '../core/config.js';

// The built plugin sits next to the built worker in the package's dist/.
// Resolved at run time, beside the built plugin (dist/vite.js): not a build-time asset.
const WORKER = new URL(/* @vite-ignore */ './regcache-sw.js', import.meta.url);

/**
 * A Vite plugin (Vite 5 or later) that emits the ready-made worker at `fileName` in the
 * build output, with the options baked in as its query string's defaults, and serves the
 * same file from `vite` dev. Malformed options throw when `vite.config` is loaded: a
 * {@link ConfigError} naming the option, or a `TypeError` for `fileName`.
 * @param options - `fileName`, and the worker's options: `upstreams`, `ttl` (seconds),
 *   `fresh` (seconds), `swr` (seconds), `timeout` (milliseconds), `maxBytes` (bytes).
 */
export function regcache(options: RegcacheViteOptions = {}): Plugin {
  const { fileName = 'regcache-sw.js', ...baked } = options;
  if (typeof fileName !== 'string' || !/^[\w./-]+\.js$/.test(fileName) || fileName.startsWith('/') || fileName.includes('..')) {
    throw new TypeError(`regcache/vite: invalid option "fileName": ${JSON.stringify(fileName)} must be a relative path ending in .js`);
  }
  // Bad options fail the build, not the user's page: the worker's own parser checks them.
  resolveOptions(baked, 'http://build.invalid');
  const source = () => `self.REGCACHE_QUERY=${JSON.stringify(optionsToQuery(baked))};\n${readFileSync(WORKER, 'utf8')}`;
  let base = '/';

  return {
    name: 'regcache',
    configResolved(config) {
      base = config.base.endsWith('/') ? config.base : `${config.base}/`;
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (new URL(req.url ?? '/', 'http://dev.invalid').pathname !== `${base}${fileName}`) return next();
        res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
        res.setHeader('Cache-Control', 'no-cache');
        // A worker in a subfolder may still control the whole app.
        res.setHeader('Service-Worker-Allowed', base);
        res.end(source());
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName, source: source() });
    },
  };
}
