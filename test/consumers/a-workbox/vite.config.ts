import { defineConfig } from 'vite';

// The registry's origin is only known when the app is built (the e2e test starts one).
const upstream = process.env.REGCACHE_UPSTREAM;
if (!upstream) throw new Error('set REGCACHE_UPSTREAM to the registry origin, e.g. https://registry.example');
const ttl = Number(process.env.REGCACHE_TTL ?? 3600);

// `vite build` builds the page; `vite build --mode sw` builds the worker next to it.
export default defineConfig(({ mode }) =>
  mode === 'sw'
    ? {
        define: {
          // Workbox branches on it; library builds leave process.env alone, and workers have no `process`.
          'process.env.NODE_ENV': JSON.stringify('production'),
          __REGCACHE_UPSTREAM__: JSON.stringify(upstream),
          __REGCACHE_TTL__: JSON.stringify(ttl),
        },
        build: {
          emptyOutDir: false,
          copyPublicDir: false,
          // A classic script at the app's root, so its default scope is the whole app.
          lib: { entry: 'src/sw.ts', formats: ['iife'], name: 'consumerWorker', fileName: () => 'sw.js' },
        },
      }
    : { base: './' },
);
