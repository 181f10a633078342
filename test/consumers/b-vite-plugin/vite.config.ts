import { regcache } from 'regcache/vite';
import { defineConfig } from 'vite';

// The registry's origin is only known when the app is built (the e2e test starts one).
const upstream = process.env.REGCACHE_UPSTREAM;
if (!upstream) throw new Error('set REGCACHE_UPSTREAM to the registry origin, e.g. https://registry.example');

export default defineConfig({
  base: './',
  plugins: [regcache({ fileName: 'sw/regcache.js', upstreams: [upstream], ttl: 3600 })],
});
