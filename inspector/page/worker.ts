// Registers the inspector's worker (regcache plus the app shell) and waits until it
// controls the page, so that the very first manifest request already goes through it.
import { isRegistryPath, SHELL_CACHE } from './offline-names.js';

// Every origin: references may name any registry, and each is cached separately. A tag
// seen within a day opens at once while the registry is asked in the background (`swr`);
// when it moved, the view offers the new manifest (views/tag-moves.ts). Under
// `npm start` the page is Vite's source modules, not built files: the worker keeps those
// as its shell instead of the build's precache manifest (inspector/worker/shell.ts).
const WORKER_PARAMETERS = `upstream=*&swr=86400${import.meta.env.DEV ? '&shell=dev' : ''}`;
const WORKER_SCRIPT = 'inspector-sw.js';
const CONTROL_TIMEOUT_MS = 10_000;

export type WorkerState = { ok: true } | { ok: false; reason: string };

function controlledBy(registration: ServiceWorkerRegistration): Promise<boolean> {
  const isOurs = () => navigator.serviceWorker.controller !== null && navigator.serviceWorker.controller === registration.active;
  if (isOurs()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (value: boolean) => {
      clearTimeout(timer);
      navigator.serviceWorker.removeEventListener('controllerchange', changed);
      resolve(value);
    };
    const changed = () => {
      if (isOurs()) done(true);
    };
    const timer = setTimeout(() => done(isOurs()), CONTROL_TIMEOUT_MS);
    navigator.serviceWorker.addEventListener('controllerchange', changed);
    // The worker may have become active between the check above and the listener.
    void navigator.serviceWorker.ready.then(changed);
  });
}

// Earlier builds registered the worker for the whole origin, where it saw other projects'
// pages on a shared localhost:5173; that registration goes once this one is in control.
async function dropWiderRegistrations(scope: string): Promise<void> {
  const script = new URL(WORKER_SCRIPT, location.href).pathname;
  for (const registration of await navigator.serviceWorker.getRegistrations()) {
    const worker = registration.active ?? registration.waiting ?? registration.installing;
    if (registration.scope !== scope && worker && new URL(worker.scriptURL).pathname === script) await registration.unregister();
  }
}

export async function startWorker(): Promise<WorkerState> {
  if (!('serviceWorker' in navigator)) {
    return {
      ok: false,
      reason: 'This browser (or this page’s address, which is not a secure context) has no service workers, so nothing is cached.',
    };
  }
  // The worker's scope is this page: the app, not the origin it shares.
  const scope = new URL(location.pathname, location.href).href;
  let registration: ServiceWorkerRegistration;
  try {
    registration = await navigator.serviceWorker.register(new URL(`${WORKER_SCRIPT}?${WORKER_PARAMETERS}`, location.href).href, { scope });
    await navigator.serviceWorker.ready;
  } catch (error) {
    return { ok: false, reason: `The cache worker could not be registered: ${(error as Error).message}` };
  }
  if (!(await controlledBy(registration)))
    return { ok: false, reason: 'The cache worker did not take control of this page; reload to try again.' };
  await dropWiderRegistrations(registration.scope).catch(() => undefined);
  if (import.meta.env.DEV) void keepDevShell();
  return { ok: true };
}

// Under `npm start` only: the modules this page was loaded from, stored so that it opens
// offline. The first load happens before the worker controls the page, so the worker never
// saw these requests: they are fetched again through it, and it keeps each script, style,
// page and image it answers (never JSON, such as a token). What the page itself fetch()ed
// is not asked again. When every file could be fetched, files of older loads are dropped.
// Built files are precached by the worker itself.
async function keepDevShell(): Promise<void> {
  const urls = new Set<string>([new URL(location.pathname, location.href).href]);
  for (const entry of performance.getEntriesByType('resource') as PerformanceResourceTiming[]) {
    const url = new URL(entry.name);
    if (url.origin === location.origin && !isRegistryPath(url.pathname) && entry.initiatorType !== 'fetch') urls.add(url.href);
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
