import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';
import { inspectorServer, optionsFromEnv } from './src/server/inspector-plugin.js';

const path = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const DIST = path('./dist');

// Builds into dist/, one per mode:
// - default: the ready-made worker, one classic script (iife) with no imports left, so
//   any page can register it without `{ type: 'module' }`;
// - `--mode client`: regcache/client as an ES module for pages;
// - `--mode inspector-sw`: the inspector's worker (regcache plus its app shell), iife;
// - `--mode inspector`: the inspector page, dist/inspector.html and dist/assets/.
// `vite` (npm start) and `vite preview` serve the inspector with its registry (or proxy)
// on the same origin; see src/server/inspector-plugin.ts.
function inspectorApp(): UserConfig {
  const server = optionsFromEnv(process.env, { distDir: DIST, layoutDir: path('./samples/oci-layout') });
  return {
    root: path('./src/inspector'),
    base: './',
    publicDir: path('./public'),
    plugins: [inspectorServer(server)],
    build: {
      outDir: DIST,
      emptyOutDir: false,
      target: 'es2022',
      rolldownOptions: { input: path('./src/inspector/inspector.html') },
    },
  };
}

export default defineConfig(({ command, mode }) => {
  if (command === 'serve' || mode === 'inspector') return inspectorApp();
  const entries = {
    worker: { entry: 'src/sw/index.ts', name: 'regcache', formats: ['iife'], fileName: () => 'regcache-sw.js' },
    client: { entry: 'src/client/index.ts', formats: ['es'], fileName: () => 'client.js' },
    'inspector-sw': { entry: 'src/inspector-sw/index.ts', name: 'regcacheInspector', formats: ['iife'], fileName: () => 'inspector-sw.js' },
  } as const;
  const lib = entries[mode as keyof typeof entries] ?? entries.worker;
  return {
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      target: 'es2022',
      lib: { ...lib, formats: [...lib.formats] },
    },
  };
});
