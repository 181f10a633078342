// Registers the inspector's worker (regcache plus the app shell) and waits until it
// controls the page, so that the very first manifest request already goes through it.
import { registerWorker } from '../../src/client/index.js';
import { isRegistryPath, SHELL_CACHE } from './offline-names.js';

// Every origin: references may name any registry, and each is cached separately.
const WORKER_PARAMETERS = 'upstream=*';
const CONTROL_TIMEOUT_MS = 10_000;

export type WorkerState = { ok: true } | { ok: false; reason: string };

function controlled(): Promise<boolean> {
  if (navigator.serviceWorker.controller) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(navigator.serviceWorker.controller !== null), CONTROL_TIMEOUT_MS);
    navigator.serviceWorker.addEventListener(
      'controllerchange',
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      { once: true },
    );
  });
}

export async function startWorker(): Promise<WorkerState> {
  if (!('serviceWorker' in navigator)) {
    return {
      ok: false,
      reason: 'This browser (or this page’s address, which is not a secure context) has no service workers, so nothing is cached.',
    };
  }
  try {
    await registerWorker(new URL(`inspector-sw.js?${WORKER_PARAMETERS}`, location.href).href, { scope: './' });
  } catch (error) {
    return { ok: false, reason: `The cache worker could not be registered: ${(error as Error).message}` };
  }
  if (!(await controlled())) return { ok: false, reason: 'The cache worker did not take control of this page; reload to try again.' };
  void keepShell();
  return { ok: true };
}

// The files this page was loaded from, stored so that it opens offline. The first load
// happens before the worker controls the page, so the worker never saw these requests:
// they are fetched again through it, and it stores each answer before handing it over.
// When every file could be fetched, files of older builds are dropped.
async function keepShell(): Promise<void> {
  const urls = new Set<string>([new URL(location.pathname, location.href).href]);
  for (const entry of performance.getEntriesByType('resource')) {
    const url = new URL(entry.name);
    if (url.origin === location.origin && !isRegistryPath(url.pathname)) urls.add(url.href);
  }
  const results = await Promise.allSettled(
    [...urls].map(async (url) => {
      const response = await fetch(url, { cache: 'no-cache' });
      if (!response.ok) throw new Error(`${url}: ${response.status}`);
    }),
  );
  if (results.some((r) => r.status === 'rejected')) return;
  const cache = await caches.open(SHELL_CACHE);
  for (const key of await cache.keys()) if (!urls.has(key.url)) await cache.delete(key);
}
