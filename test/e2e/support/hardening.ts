// Shared by the hardening specs: the reliability rows the table in docs/reliability.md is
// built from, a CDP probe on the service worker (exceptions, heap), and a raw IndexedDB dump.
import type { Browser, CDPSession, Page } from '@playwright/test';
import { type CostedManifest, manifestCost, tagCost } from '../../../src/sw/storage/record-cost.js';
import { test } from './fixtures.js';

export const RELIABILITY = 'reliability';

/**
 * Records one row of the table in docs/reliability.md: the fault tried and the outcome
 * observed. `outcome` should be built from what the test saw, not from what it expected.
 * The reporter (test/reliability/reporter.ts) collects the rows with the test's result.
 */
export function reliability(fault: string, outcome: string): void {
  test.info().annotations.push({ type: RELIABILITY, description: JSON.stringify({ fault, outcome }) });
}

interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export interface WorkerProbe {
  /** Uncaught exceptions and unhandled rejections of every worker of the origin since start. */
  exceptions: string[];
  /** console.error/warn lines of the worker, for diagnostics. */
  warnings: string[];
  /** Call frames of each exception, in the same order. */
  stacks: string[];
  /** Sends a CDP command to the newest running worker of the origin. */
  send<T = unknown>(method: string, params?: object): Promise<T>;
  /** Bytes of JS heap in use in the worker, after a full garbage collection. */
  heapUsed(): Promise<number>;
  /** Waits until a worker of the origin is attached (it may have been restarted). */
  attached(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Watches the service workers of `origin` through a browser-level CDP session, attaching
 * to each one as it starts (a restarted worker is a new target). Chromium reports an
 * unhandled rejection as Runtime.exceptionThrown "Uncaught (in promise)".
 */
export async function probeWorker(browser: Browser, origin: string): Promise<WorkerProbe> {
  const cdp: CDPSession = await browser.newBrowserCDPSession();
  const exceptions: string[] = [];
  const warnings: string[] = [];
  const stacks: string[] = [];
  const sessions: string[] = [];
  const attaching = new Set<string>();
  const pending = new Map<number, Pending>();
  let nextId = 0;

  const ours = (t: TargetInfo) => t.type === 'service_worker' && t.url.startsWith(`${origin}/`);

  const attach = async (t: TargetInfo) => {
    if (attaching.has(t.targetId)) return;
    attaching.add(t.targetId);
    try {
      const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: false })) as {
        sessionId: string;
      };
      sessions.push(sessionId);
      await sendTo(sessionId, 'Runtime.enable');
    } catch {
      attaching.delete(t.targetId);
    }
  };

  const sendTo = <T>(sessionId: string, method: string, params: object = {}) =>
    new Promise<T>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch((e: Error) => {
        pending.delete(id);
        reject(e);
      });
    });

  cdp.on('Target.receivedMessageFromTarget', (e: { sessionId: string; message: string }) => {
    const m = JSON.parse(e.message) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
      method?: string;
      params?: Record<string, unknown>;
    };
    if (m.id !== undefined) {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error) p?.reject(new Error(`${m.error.message}`));
      else p?.resolve(m.result);
      return;
    }
    if (m.method === 'Runtime.exceptionThrown') {
      const d = (
        m.params as {
          exceptionDetails: {
            text: string;
            exception?: { description?: string };
            stackTrace?: { callFrames: Array<{ functionName: string; lineNumber: number; columnNumber: number }> };
          };
        }
      ).exceptionDetails;
      exceptions.push(`${d.text} ${d.exception?.description ?? ''}`.trim());
      const frames = d.stackTrace?.callFrames.map((f) => `${f.functionName || '?'}@${f.lineNumber}:${f.columnNumber}`) ?? [];
      stacks.push(frames.join(' < '));
    }
    if (m.method === 'Runtime.consoleAPICalled') {
      const p = m.params as { type: string; args: Array<{ value?: unknown; description?: string }> };
      if (p.type === 'error' || p.type === 'warning') {
        warnings.push(p.args.map((a) => (a.value !== undefined ? String(a.value) : (a.description ?? ''))).join(' '));
      }
    }
  });
  cdp.on('Target.detachedFromTarget', (e: { sessionId: string }) => {
    const i = sessions.indexOf(e.sessionId);
    if (i >= 0) sessions.splice(i, 1);
  });
  const onTarget = (e: { targetInfo: TargetInfo }) => {
    if (ours(e.targetInfo)) void attach(e.targetInfo);
  };
  cdp.on('Target.targetCreated', onTarget);
  cdp.on('Target.targetInfoChanged', onTarget);
  await cdp.send('Target.setDiscoverTargets', { discover: true });
  const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: TargetInfo[] };
  for (const t of targetInfos) if (ours(t)) await attach(t);

  const attached = async (timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (sessions.length === 0) {
      if (Date.now() > deadline) throw new Error(`no service worker of ${origin} to attach to`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const send = async <T>(method: string, params: object = {}) => {
    await attached();
    return sendTo<T>(sessions.at(-1)!, method, params);
  };

  return {
    exceptions,
    warnings,
    stacks,
    send,
    attached,
    async heapUsed() {
      await send('HeapProfiler.enable');
      await send('HeapProfiler.collectGarbage');
      const usage = await send<{ usedSize: number }>('Runtime.getHeapUsage');
      return usage.usedSize;
    },
    async stop() {
      for (const p of pending.values()) p.reject(new Error('probe stopped'));
      pending.clear();
      await cdp.detach().catch(() => {});
    },
  };
}

/**
 * Every record of every store of regcache's database, as JSON text, with bodies decoded
 * as UTF-8: for looking for things that must never be stored.
 */
export async function rawDump(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name);
    if (!names.includes('regcache')) return '{}';
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('regcache');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const out: Record<string, unknown> = {};
    const decode = (v: unknown): unknown => {
      if (v instanceof ArrayBuffer) return new TextDecoder().decode(v);
      if (ArrayBuffer.isView(v)) return new TextDecoder().decode(v);
      if (Array.isArray(v)) return v.map(decode);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
      return v;
    };
    for (const store of [...db.objectStoreNames]) {
      const [keys, values] = await Promise.all(
        (['getAllKeys', 'getAll'] as const).map(
          (op) =>
            new Promise<unknown[]>((resolve, reject) => {
              const req = db.transaction(store).objectStore(store)[op]();
              req.onsuccess = () => resolve(req.result as unknown[]);
              req.onerror = () => reject(req.error);
            }),
        ),
      );
      out[store] = keys!.map((k, i) => ({ key: decode(k), value: decode(values![i]) }));
    }
    db.close();
    return JSON.stringify(out);
  });
}

export interface StoreCheck {
  manifests: number;
  tags: number;
  /** What the stored records cost against maxBytes (src/sw/storage/record-cost.ts), tags included. */
  bytes: number;
  /** Every way the store is not whole; empty when it is. */
  problems: string[];
}

/**
 * Checks, from the page, that regcache's store is whole: each body hashes to its digest and
 * is as long as its size, each tag points at a stored manifest, and the running total in
 * meta is what the records cost.
 */
export async function checkStore(page: Page): Promise<StoreCheck> {
  const found = await page.evaluate(async () => {
    const empty = { manifests: [], tags: [], bytes: undefined, problems: [] as string[] };
    if (!(await indexedDB.databases()).some((d) => d.name === 'regcache')) return empty;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('regcache');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    if (!db.objectStoreNames.contains('manifests')) {
      db.close();
      return empty;
    }
    const tx = db.transaction(['manifests', 'tags', 'meta']);
    const get = <T>(req: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    type M = CostedManifest & { body: ArrayBuffer };
    type T = { upstream: string; repository: string; tag: string; accept: string; digest: string };
    const [manifests, tags, bytes] = await Promise.all([
      get(tx.objectStore('manifests').getAll()) as Promise<M[]>,
      get(tx.objectStore('tags').getAll()) as Promise<T[]>,
      get(tx.objectStore('meta').get('bytes')) as Promise<number | undefined>,
    ]);
    db.close();
    const problems: string[] = [];
    const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
    const keys = new Set<string>();
    for (const m of manifests) {
      keys.add(`${m.upstream} ${m.repository} ${m.digest}`);
      if (m.body.byteLength !== m.size) problems.push(`${m.repository}@${m.digest}: body ${m.body.byteLength} bytes, size ${m.size}`);
      const [alg, want] = m.digest.split(':');
      const name = alg === 'sha512' ? 'SHA-512' : 'SHA-256';
      if (hex(await crypto.subtle.digest(name, m.body)) !== want)
        problems.push(`${m.repository}@${m.digest}: body does not hash to its digest`);
    }
    for (const t of tags) {
      if (!keys.has(`${t.upstream} ${t.repository} ${t.digest}`))
        problems.push(`${t.repository}:${t.tag} points at ${t.digest}, which is not stored`);
    }
    return { manifests: manifests.map(({ body: _, ...m }) => m), tags, bytes, problems };
  });
  const total =
    found.manifests.reduce((n, m) => n + manifestCost(m), 0) +
    found.tags.reduce((n, t) => n + tagCost([t.upstream, t.repository, t.tag, t.accept], t.digest), 0);
  const problems = [...found.problems];
  if ((found.bytes ?? 0) !== total) problems.push(`meta bytes ${found.bytes} but the records cost ${total}`);
  return { manifests: found.manifests.length, tags: found.tags.length, bytes: total, problems };
}

/** The database's version and stores, without opening (or creating) it at a version. */
export async function dbShape(page: Page): Promise<{ version: number; stores: string[] } | null> {
  return page.evaluate(async () => {
    const found = (await indexedDB.databases()).find((d) => d.name === 'regcache');
    if (!found) return null;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('regcache');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const shape = { version: db.version, stores: [...db.objectStoreNames].sort() };
    db.close();
    return shape;
  });
}

/**
 * Stops the origin's running workers through CDP and waits until each has reported
 * `stopped`. Unlike the fixture's stopWorker it does not require them to stay stopped: a
 * worker stopped with a fetch in flight is started again at once by Chromium, which hands
 * the interrupted fetch to the new worker.
 */
export async function stopWorkerNow(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const running = new Set<string>();
  const stopped = new Set<string>();
  let asked = false;
  cdp.on('ServiceWorker.workerVersionUpdated', (e: { versions: Array<{ versionId: string; runningStatus: string }> }) => {
    for (const v of e.versions) {
      if (v.runningStatus === 'running' && !asked) running.add(v.versionId);
      if (v.runningStatus === 'stopped' && asked) stopped.add(v.versionId);
    }
  });
  try {
    await cdp.send('ServiceWorker.enable');
    // The current versions are reported right after enable.
    for (let i = 0; i < 200 && running.size === 0; i++) await sleep(10);
    if (running.size === 0) throw new Error('stopWorkerNow: no running worker');
    asked = true;
    await cdp.send('ServiceWorker.stopAllWorkers');
    const deadline = Date.now() + 10_000;
    while ([...running].some((v) => !stopped.has(v))) {
      if (Date.now() > deadline) throw new Error(`stopWorkerNow: ${[...running].filter((v) => !stopped.has(v)).join(', ')} never stopped`);
      await sleep(10);
    }
  } finally {
    await cdp.send('ServiceWorker.disable').catch(() => {});
    await cdp.detach().catch(() => {});
  }
}

/** A Cache-Status for the table: ttl changes from run to run, so it is left out. */
export function cs(value: string | null | undefined): string {
  return (value ?? '(none)').replace(/; ttl=\d+/, '');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
