import { defineConfig } from 'vite';

// The ready-made worker: one classic script (iife), no imports left, so any page can
// register it without `{ type: 'module' }`.
export default defineConfig({
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2022',
    lib: {
      entry: 'src/sw/index.ts',
      name: 'regcache',
      formats: ['iife'],
      fileName: () => 'regcache-sw.js',
    },
  },
});
