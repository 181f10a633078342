// Timers around regcache's store and strategy methods, for the profile only. Imported
// before src/sw/worker.ts, so the start-up sweep is timed too. regcache's source is not
// touched: its prototypes are wrapped here, in the bench's own build.

import { ManifestStore } from '../../src/sw/storage/store.js';
import { ManifestStrategy } from '../../src/sw/strategy/manifest-strategy.js';

declare const self: ServiceWorkerGlobalScope;

export interface ProbeSpan {
  name: string;
  /** performance.timeOrigin + performance.now(), comparable across contexts to ~0.1 ms. */
  start: number;
  end: number;
}

const clock = () => performance.timeOrigin + performance.now();
const scriptStart = clock();
let spans: ProbeSpan[] = [];

function time(proto: object, name: string, label = name): void {
  const methods = proto as Record<string, (...args: unknown[]) => unknown>;
  const original = methods[name];
  if (typeof original !== 'function') throw new Error(`probe: no method ${name}`);
  methods[name] = function (this: unknown, ...args: unknown[]) {
    const start = clock();
    const result = original.apply(this, args);
    const done = () => spans.push({ name: label, start, end: clock() });
    if (result instanceof Promise) return result.finally(done);
    done();
    return result;
  };
}

time(ManifestStrategy.prototype, 'handle');
// Private in TypeScript, ordinary methods at run time: the upstream HEAD of a re-check.
time(ManifestStrategy.prototype, 'recheck', 'strategy.recheck');
// Opening IndexedDB: from indexedDB.open() until its success event.
const openDb = indexedDB.open.bind(indexedDB);
indexedDB.open = (name: string, version?: number) => {
  const start = clock();
  const request = openDb(name, version);
  request.addEventListener('success', () => spans.push({ name: 'store.open', start, end: clock() }));
  return request;
};
// The methods as they are now: a missing one fails the probe's build at start, loudly.
for (const name of [
  'getManifest',
  'getTag',
  'put',
  'extendRemembered',
  'touch',
  'sweep',
  'earliestExpiry',
  'getMeta',
  'updateMeta',
  'bytes',
]) {
  time(ManifestStore.prototype, name, `store.${name}`);
}

// { benchProbe: true } over a MessageChannel: the spans so far, which are then forgotten.
self.addEventListener('message', (event) => {
  const data = event.data as { benchProbe?: boolean } | null;
  const port = event.ports[0];
  if (!data?.benchProbe || !port) return;
  port.postMessage({ timeOrigin: performance.timeOrigin, scriptStart, spans });
  spans = [];
});
