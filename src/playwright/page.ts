// What regcache/playwright runs in a page of the app's origin (dist/playwright-page.js, one
// classic script with idb inside): fills the store from a bundle, registers the worker, and
// reads the store and the counters back after a test.
import { type ExportFilter, exportBundle, importBundle, importOciLayout } from '../client/bundle.js';
import { createClient } from '../client/index.js';
import type { LayoutTarget } from '../core/bundle/oci-layout.js';

declare global {
  // The page side's functions, as the fixture calls them with page.evaluate.
  var __regcachePlaywright: typeof api;
}

async function register(scriptUrl: string): Promise<void> {
  const registration = await navigator.serviceWorker.register(scriptUrl, { scope: '/' });
  const worker = registration.installing ?? registration.waiting ?? registration.active;
  if (!worker) throw new Error(`regcache: registering ${scriptUrl} gave no worker`);
  // The ready-made worker skips waiting, so a fresh context's worker always activates.
  while (worker.state !== 'activated') {
    if (worker.state === 'redundant') throw new Error(`regcache: the worker ${scriptUrl} failed to install (see its console)`);
    await new Promise((resolve) => worker.addEventListener('statechange', resolve, { once: true }));
  }
}

const api = {
  register,
  importBundle: (text: string, ttl: number) => importBundle(text, { ttl }),
  exportBundle: async (filter?: ExportFilter) => JSON.stringify(await exportBundle(filter)),
  stats: () => createClient().stats(),
  // An OCI layout as a tar archive, base64.
  importOciLayout: (tar: string, target: LayoutTarget) =>
    importOciLayout(new Blob([Uint8Array.from(atob(tar), (c) => c.charCodeAt(0))]), { ...target, ttl: 3600 }),
};

globalThis.__regcachePlaywright = api;
