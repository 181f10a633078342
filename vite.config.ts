import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';
import { inspectorServer, optionsFromEnv } from './inspector/server/inspector-plugin.js';

const path = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const DIST = path('./dist');

// Builds into dist/, one per mode:
// - default: the ready-made worker, one classic script (iife) with no imports left, so
//   any page can register it without `{ type: 'module' }`;
// - `--mode lib`: regcache/sw and regcache/client as ES modules, dependencies left as imports;
// - `--mode node`: regcache/vite, the Vite plugin, for Node;
// - `--mode inspector-sw`: the inspector's worker (regcache plus its app shell), iife;
// - `--mode inspector`: the inspector page, dist/inspector.html and dist/assets/.
// `vite` (npm start) and `vite preview` serve the inspector with its registry (or proxy)
// on the same origin; see inspector/server/inspector-plugin.ts.
function inspectorApp(): UserConfig {
  const server = optionsFromEnv(process.env, { distDir: DIST, layoutDir: path('./samples/oci-layout') });
  return {
    root: path('./inspector/page'),
    base: './',
    publicDir: path('./public'),
    plugins: [inspectorServer(server)],
    // The registry on this origin answers like distribution, without Vite's CORS headers.
    server: { cors: false },
    preview: { cors: false },
    build: {
      outDir: DIST,
      emptyOutDir: false,
      target: 'es2022',
      rolldownOptions: { input: path('./inspector/page/inspector.html') },
    },
  };
}

function libraries(mode: string): UserConfig {
  const build = { outDir: 'dist', emptyOutDir: false, target: 'es2022' } as const;
  switch (mode) {
    case 'lib':
      return {
        build: {
          ...build,
          lib: {
            entry: { sw: 'src/sw/index.ts', client: 'src/client/index.ts' },
            formats: ['es'],
            fileName: (_format, name) => `${name}.js`,
          },
          rolldownOptions: {
            external: [/^idb(\/|$)/, /^workbox-/],
            // What both entries use (config parsing, Accept keys) goes to one chunk, whose
            // name package.json's files list can rely on.
            output: { chunkFileNames: 'shared.js' },
          },
        },
      };
    case 'node':
      return {
        build: {
          ...build,
          target: 'node20',
          lib: { entry: 'src/vite/index.ts', formats: ['es'], fileName: () => 'vite.js' },
          rolldownOptions: { external: [/^node:/, 'vite'] },
        },
      };
    case 'inspector-sw':
      return {
        // workbox's modules are bundled in: their development-only checks go.
        define: { 'process.env.NODE_ENV': JSON.stringify('production') },
        build: {
          ...build,
          lib: { entry: 'inspector/worker/index.ts', name: 'regcacheInspector', formats: ['iife'], fileName: () => 'inspector-sw.js' },
        },
      };
    default:
      return {
        define: { 'process.env.NODE_ENV': JSON.stringify('production') },
        build: { ...build, lib: { entry: 'src/sw/worker.ts', name: 'regcache', formats: ['iife'], fileName: () => 'regcache-sw.js' } },
      };
  }
}

export default defineConfig(({ command, mode }) => (command === 'serve' || mode === 'inspector' ? inspectorApp() : libraries(mode)));
