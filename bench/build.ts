// Builds the bench's own workers the way vite.config.ts builds regcache's: one classic
// script each (iife), production mode, same target, so that all of them are compared
// as they would ship.
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export interface FloorData {
  manifests: Array<{ body: string; headers: [string, string][] }>;
  urls: Record<string, number>;
}

/**
 * One worker script. `entry` is relative to bench/. `minify: false` and a source map
 * name functions and their modules in CPU profiles; the compared builds are minified, as
 * regcache's is.
 */
export async function buildWorker(
  outDir: string,
  fileName: string,
  entry: string,
  define: Record<string, string> = {},
  options: { minify?: boolean; sourcemap?: boolean; sideEffects?: boolean } = {},
): Promise<void> {
  await build({
    configFile: false,
    logLevel: 'warn',
    define: { 'process.env.NODE_ENV': JSON.stringify('production'), ...define },
    build: {
      outDir,
      emptyOutDir: false,
      target: 'es2022',
      ...(options.minify === false ? { minify: false } : {}),
      ...(options.sourcemap ? { sourcemap: true } : {}),
      // package.json declares only dist/regcache-sw.js as having side effects, so an
      // import made for its side effects (timers, the worker itself) would be dropped,
      // whatever moduleSideEffects says; only switching tree-shaking off keeps them.
      ...(options.sideEffects ? { rollupOptions: { treeshake: false } } : {}),
      lib: {
        entry: fileURLToPath(new URL(entry, import.meta.url)),
        name: fileName.replace(/\W/g, '_'),
        formats: ['iife'],
        fileName: () => fileName,
      },
    },
  });
}

/** floor-sw.js and relay-head-sw.js (with the manifests they answer compiled in), workbox-sw.js and relay-sw.js. */
export async function buildWorkers(outDir: string, floor: FloorData): Promise<void> {
  await buildWorker(outDir, 'floor-sw.js', 'workers/floor.ts', { FLOOR_DATA: JSON.stringify(floor) });
  await buildWorker(outDir, 'workbox-sw.js', 'workers/workbox.ts');
  await buildWorker(outDir, 'relay-sw.js', 'workers/relay.ts');
  await buildWorker(outDir, 'relay-head-sw.js', 'workers/relay-head.ts', { FLOOR_DATA: JSON.stringify(floor) });
}
