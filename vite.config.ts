import { defineConfig } from 'vite';

// Two library builds into dist/:
// - default: the ready-made worker, one classic script (iife) with no imports left, so
//   any page can register it without `{ type: 'module' }`;
// - `--mode client`: regcache/client as an ES module for pages.
export default defineConfig(({ mode }) => {
  const client = mode === 'client';
  return {
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      target: 'es2022',
      lib: client
        ? { entry: 'src/client/index.ts', formats: ['es'], fileName: () => 'client.js' }
        : { entry: 'src/sw/index.ts', name: 'regcache', formats: ['iife'], fileName: () => 'regcache-sw.js' },
    },
  };
});
