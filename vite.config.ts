import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { minify as terser } from 'terser';
import { defineConfig, minifySync, type Plugin, type UserConfig } from 'vite';
import { inspectorServer, optionsFromEnv } from './inspector/server/inspector-plugin.js';
import { WORKER_PROPERTIES } from './scripts/worker-properties.mjs';

const path = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const DIST = path('./dist');
const PUBLIC = path('./public');
// The inspector page's built files, for its worker to precache (inspector/worker/shell.ts).
const PRECACHE_MANIFEST = join(DIST, 'inspector-precache.json');

const revision = (content: string | Uint8Array) => createHash('sha256').update(content).digest('hex').slice(0, 16);

// Writes the precache manifest of the inspector build: every file it emitted plus the
// public files, with a revision for those whose name carries no content hash.
function precacheManifest(): Plugin {
  return {
    name: 'regcache-inspector-precache',
    apply: 'build',
    writeBundle(_options, bundle) {
      const entries = Object.values(bundle).map((file) => ({
        url: file.fileName,
        // Vite names assets/<name>-<hash>.<ext>: the name is the revision.
        revision: file.fileName.startsWith('assets/') ? null : revision(file.type === 'chunk' ? file.code : file.source),
      }));
      for (const name of readdirSync(PUBLIC)) entries.push({ url: name, revision: revision(readFileSync(join(PUBLIC, name))) });
      writeFileSync(PRECACHE_MANIFEST, `${JSON.stringify(entries, null, 2)}\n`);
    },
  };
}

// Regcache's own property names, shortened in the ready-made worker only (scripts/worker-properties.mjs).
const WORKER_PROPERTY = new RegExp(`^(?:${WORKER_PROPERTIES.join('|')})$`);

// More passes over the ready-made worker once Oxc has minified it: terser's compressor, which
// also shortens the properties above, then Oxc's minifier again, find about 0.5 KB gzipped
// more than Oxc alone (docs/size.md). Oxc's mangler, which runs last, does better than terser's.
function compressMore(): Plugin {
  return {
    name: 'regcache-compress-more',
    apply: 'build',
    async generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type !== 'chunk') continue;
        const { code } = await terser(file.code, {
          ecma: 2020,
          compress: { passes: 2 },
          mangle: { properties: { regex: WORKER_PROPERTY } },
        });
        if (!code) continue;
        const again = minifySync(file.fileName, code, {});
        if (again.errors.length > 0) throw new Error(`regcache: could not minify ${file.fileName}: ${again.errors[0]?.message}`);
        file.code = again.code;
      }
    },
  };
}

// The manifest the inspector build wrote; `npm start` builds no page (Vite serves it from
// source) and its worker precaches nothing, so none is fine there.
function precacheEntries(): string {
  return existsSync(PRECACHE_MANIFEST) ? readFileSync(PRECACHE_MANIFEST, 'utf8') : '[]';
}

// Builds into dist/, one per mode:
// - default: the ready-made worker, one classic script (iife) with no imports left, so
//   any page can register it without `{ type: 'module' }`;
// - `--mode lib`: regcache/sw and regcache/client as ES modules, dependencies left as imports;
// - `--mode node`: regcache/vite, the Vite plugin, and regcache/playwright, the Playwright
//   fixture, for Node;
// - `--mode playwright-page`: the script regcache/playwright runs in the app's pages (iife);
// - `--mode inspector`: the inspector page, dist/inspector.html and dist/assets/, and the
//   list of those files for its worker to precache;
// - `--mode inspector-sw`: the inspector's worker (regcache plus its app shell), iife,
//   with that list built in (so it comes after `--mode inspector`).
// `vite` (npm start) and `vite preview` serve the inspector with its registry (or proxy)
// on the same origin; see inspector/server/inspector-plugin.ts.
function inspectorApp(): UserConfig {
  const server = optionsFromEnv(process.env, { distDir: DIST, layoutDir: path('./samples/oci-layout') });
  return {
    root: path('./inspector/page'),
    base: './',
    publicDir: PUBLIC,
    plugins: [inspectorServer(server), precacheManifest()],
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
            external: [/^workbox-/],
            // What both entries use (config parsing, Accept keys) goes to one chunk, the
            // storage modules to another, and the client's bundle code to a third it loads on
            // first use; their names are fixed, so package.json's files list can rely on them.
            output: {
              chunkFileNames: (chunk) => (chunk.name === 'bundle' ? 'client-bundle.js' : `${chunk.name}.js`),
              codeSplitting: {
                groups: [
                  { name: 'shared', test: /[\\/]src[\\/]core[\\/](?!bundle[\\/]verify)/, priority: 2 },
                  { name: 'storage', test: /[\\/]src[\\/]sw[\\/](storage|housekeeping[\\/]expiry)/, priority: 1 },
                ],
              },
            },
          },
        },
      };
    case 'node':
      return {
        build: {
          ...build,
          target: 'node20',
          lib: {
            entry: { vite: 'src/vite/index.ts', playwright: 'src/playwright/index.ts' },
            formats: ['es'],
            fileName: (_format, name) => `${name}.js`,
          },
          rolldownOptions: { external: [/^node:/, 'vite', /^@playwright\//], output: { chunkFileNames: 'node-shared.js' } },
        },
      };
    case 'playwright-page':
      // What regcache/playwright runs in a page of the app's origin: one classic script, idb inside.
      return {
        build: {
          ...build,
          lib: { entry: 'src/playwright/page.ts', name: 'regcachePlaywright', formats: ['iife'], fileName: () => 'playwright-page.js' },
        },
      };
    case 'inspector-sw':
      return {
        define: { 'process.env.NODE_ENV': JSON.stringify('production'), __INSPECTOR_PRECACHE__: precacheEntries() },
        build: {
          ...build,
          lib: { entry: 'inspector/worker/index.ts', name: 'regcacheInspector', formats: ['iife'], fileName: () => 'inspector-sw.js' },
        },
      };
    default:
      return {
        define: { 'process.env.NODE_ENV': JSON.stringify('production') },
        plugins: [compressMore()],
        build: { ...build, lib: { entry: 'src/sw/worker.ts', name: 'regcache', formats: ['iife'], fileName: () => 'regcache-sw.js' } },
      };
  }
}

export default defineConfig(({ command, mode }) => (command === 'serve' || mode === 'inspector' ? inspectorApp() : libraries(mode)));
