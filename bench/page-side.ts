// What runs inside the pages. Each function is handed to page.evaluate, which sends its
// source text: it may use only its argument and the page's globals, no imports.

export interface Probe {
  url: string;
  /** Expected body length; a different one counts as an error. */
  size: number;
}

export interface Sequential {
  /** Milliseconds per request: fetch() until the body is read. */
  times: number[];
  /** How each answer was made: Cache-Status with its ttl value dropped, else "http <status>". */
  answers: Record<string, number>;
  errors: string[];
}

export interface SequentialArgs {
  probes: Probe[];
  accept: string;
  start: number;
  count: number;
}

/** Requests one after another; each is timed from fetch() until its body has been read. */
export async function sequential(args: SequentialArgs): Promise<Sequential> {
  const out: Sequential = { times: [], answers: {}, errors: [] };
  const init: RequestInit = { headers: { Accept: args.accept } };
  for (let i = 0; i < args.count; i++) {
    const probe = args.probes[(args.start + i) % args.probes.length]!;
    let status: string;
    let length: number;
    try {
      const t0 = performance.now();
      const res = await fetch(probe.url, init);
      const body = await res.arrayBuffer();
      out.times.push(performance.now() - t0);
      length = body.byteLength;
      status = res.headers.get('cache-status')?.replace(/ttl=[\d.]+/, 'ttl') ?? `http ${res.status}`;
      if (!res.ok) out.errors.push(`${probe.url}: ${res.status}`);
    } catch (error) {
      out.errors.push(`${probe.url}: ${String(error)}`);
      continue;
    }
    if (length !== probe.size) out.errors.push(`${probe.url}: ${length} bytes, expected ${probe.size}`);
    out.answers[status] = (out.answers[status] ?? 0) + 1;
  }
  return out;
}

/** The probes all at once; each answer's Docker-Content-Digest, in probe order. */
export async function parallel(args: { probes: Probe[]; accept: string }): Promise<{ digests: string[]; errors: string[] }> {
  const errors: string[] = [];
  const digests = await Promise.all(
    args.probes.map(async (probe) => {
      try {
        const res = await fetch(probe.url, { headers: { Accept: args.accept } });
        const body = await res.arrayBuffer();
        if (!res.ok || body.byteLength !== probe.size) errors.push(`${probe.url}: ${res.status}, ${body.byteLength} bytes`);
        return res.headers.get('docker-content-digest') ?? '';
      } catch (error) {
        errors.push(`${probe.url}: ${String(error)}`);
        return '';
      }
    }),
  );
  return { digests, errors };
}

export interface Concurrent {
  totalMs: number;
  answers: Record<string, number>;
  errors: string[];
}

/** `count` requests started at once; the time until the last body has been read. */
export async function concurrent(args: { probes: Probe[]; accept: string; count: number; start?: number }): Promise<Concurrent> {
  const answers: Record<string, number> = {};
  const errors: string[] = [];
  const init: RequestInit = { headers: { Accept: args.accept } };
  const one = async (i: number) => {
    const probe = args.probes[((args.start ?? 0) + i) % args.probes.length]!;
    try {
      const res = await fetch(probe.url, init);
      const body = await res.arrayBuffer();
      const status = res.headers.get('cache-status')?.replace(/ttl=[\d.]+/, 'ttl') ?? `http ${res.status}`;
      answers[status] = (answers[status] ?? 0) + 1;
      if (body.byteLength !== probe.size) errors.push(`${probe.url}: ${body.byteLength} bytes, expected ${probe.size}`);
    } catch (error) {
      errors.push(`${probe.url}: ${String(error)}`);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: args.count }, (_, i) => one(i)));
  return { totalMs: performance.now() - t0, answers, errors };
}

/** Registers a worker for scope '/', waits until it is activated and, briefly, for it to claim this page. */
export async function register(script: string): Promise<{ ok: boolean; message: string }> {
  try {
    const reg = await navigator.serviceWorker.register(script, { scope: '/' });
    const worker = reg.installing ?? reg.waiting ?? reg.active;
    if (worker && worker.state !== 'activated') {
      await new Promise<void>((resolve, reject) => {
        worker.addEventListener('statechange', () => {
          if (worker.state === 'activated') resolve();
          if (worker.state === 'redundant') reject(new Error('the worker became redundant'));
        });
        setTimeout(() => reject(new Error(`the worker is still ${worker.state}`)), 20_000);
      });
    }
    if (!navigator.serviceWorker.controller) {
      await new Promise<void>((resolve) => {
        navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true });
        setTimeout(resolve, 5_000);
      });
    }
    return { ok: true, message: navigator.serviceWorker.controller ? 'controlled' : 'not controlled' };
  } catch (error) {
    return { ok: false, message: String(error) };
  }
}

export function controlled(): boolean {
  return navigator.serviceWorker.controller !== null;
}

export function isolation(): { crossOriginIsolated: boolean; userAgent: string } {
  return { crossOriginIsolated: self.crossOriginIsolated, userAgent: navigator.userAgent };
}

export interface SeedArgs {
  upstream: string;
  /** First record number; records are numbered so that seeds never collide. */
  from: number;
  count: number;
  expired: boolean;
  bodyBytes: number;
  accept: string;
}

/**
 * Writes records straight into regcache's schema (what a worker would have stored after
 * fetching them): a manifest and one tag pointing at it per record. Big transactions with
 * relaxed durability, as nothing here has to survive a crash.
 */
export async function seed(args: SeedArgs): Promise<number> {
  const t0 = performance.now();
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open('regcache');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  if (!db.objectStoreNames.contains('manifests')) throw new Error('regcache has not created its database yet');
  const now = Date.now();
  const expiresAt = args.expired ? now - 60_000 : now + 7 * 24 * 3600 * 1000;
  const mediaType = 'application/vnd.oci.image.manifest.v1+json';
  const body = new Uint8Array(args.bodyBytes).fill(0x20);
  const CHUNK = 10_000;
  for (let start = args.from; start < args.from + args.count; start += CHUNK) {
    const tx = db.transaction(['manifests', 'tags'], 'readwrite', { durability: 'relaxed' });
    const manifests = tx.objectStore('manifests');
    const tags = tx.objectStore('tags');
    for (let i = start; i < Math.min(args.from + args.count, start + CHUNK); i++) {
      const digest = `sha256:${i.toString(16).padStart(64, '0')}`;
      const repository = `seed/app-${i % 97}`;
      const times = { fetchedAt: now - 120_000, confirmedAt: now - 120_000, expiresAt, lastUsed: now - 120_000 };
      manifests.put({
        upstream: args.upstream,
        repository,
        digest,
        mediaType,
        body: body.slice().buffer,
        headers: { contentType: mediaType, dockerContentDigest: digest, etag: `"${digest}"`, apiVersion: 'registry/2.0' },
        size: args.bodyBytes,
        ...times,
      });
      tags.put({ upstream: args.upstream, repository, tag: `t${i}`, accept: args.accept, digest, ...times });
    }
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }
  db.close();
  return performance.now() - t0;
}

/** One sweep through regcache/client, timed from the page: message, sweep, reply. */
export interface SeedManifestsArgs {
  upstream: string;
  repository: string;
  /** The manifests to copy: record `i` gets `bodies[i % bodies.length]`. */
  bodies: Array<{ body: string; mediaType: string; apiVersion: string }>;
  count: number;
}

/**
 * Writes `count` live manifest records straight into the origin's regcache database, with
 * real bodies under made-up digests (digestOfSeeded), behind the worker's back: the worker
 * has never read them, so its in-memory copy holds none. Answers the time it took.
 */
export async function seedManifests(args: SeedManifestsArgs): Promise<number> {
  const t0 = performance.now();
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open('regcache');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  if (!db.objectStoreNames.contains('manifests')) throw new Error('regcache has not created its database yet');
  const now = Date.now();
  const encoded = args.bodies.map((b) => ({ ...b, bytes: new TextEncoder().encode(b.body) }));
  const tx = db.transaction(['manifests'], 'readwrite', { durability: 'relaxed' });
  for (let i = 0; i < args.count; i++) {
    const b = encoded[i % encoded.length]!;
    // The same as digestOfSeeded, which cannot be called from here.
    const digest = `sha256:${(0xc01d0000 + i).toString(16).padStart(64, '0')}`;
    tx.objectStore('manifests').put({
      upstream: args.upstream,
      repository: args.repository,
      digest,
      mediaType: b.mediaType,
      body: b.bytes.slice().buffer,
      headers: { contentType: b.mediaType, dockerContentDigest: digest, etag: `"${digest}"`, apiVersion: b.apiVersion },
      size: b.bytes.length,
      fetchedAt: now,
      confirmedAt: now,
      expiresAt: now + 7 * 24 * 3600 * 1000,
      lastUsed: now,
      private: false,
    });
  }
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  db.close();
  return performance.now() - t0;
}

/** The digest seedManifests gives record `i`. */
export const digestOfSeeded = (i: number): string => `sha256:${(0xc01d0000 + i).toString(16).padStart(64, '0')}`;

export async function sweep(): Promise<{ ms: number; deleted: number; visited: number }> {
  const mod = (await import('/client.js' as string)) as {
    createClient(o: { timeout: number }): {
      sweep(): Promise<{ deleted: number; visited: number }>;
      stats(): Promise<unknown>;
    };
  };
  const client = mod.createClient({ timeout: 120_000 });
  const t0 = performance.now();
  const result = await client.sweep();
  return { ms: performance.now() - t0, ...result };
}

/** Wakes the worker and waits for its start-up sweep, so a timed sweep finds the work. */
export async function wake(): Promise<void> {
  const mod = (await import('/client.js' as string)) as {
    createClient(o: { timeout: number }): { stats(): Promise<unknown> };
  };
  await mod.createClient({ timeout: 120_000 }).stats();
}

export interface Usage {
  usage: number;
  indexedDB: number;
  caches: number;
}

/** The origin's storage use, read until two readings half a second apart agree. */
export async function usage(): Promise<Usage> {
  const read = async (): Promise<Usage> => {
    const e = (await navigator.storage.estimate()) as StorageEstimate & {
      usageDetails?: { indexedDB?: number; caches?: number };
    };
    return { usage: e.usage ?? 0, indexedDB: e.usageDetails?.indexedDB ?? 0, caches: e.usageDetails?.caches ?? 0 };
  };
  let last = await read();
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const next = await read();
    if (next.usage === last.usage) return next;
    last = next;
  }
  return last;
}

export interface ProbeReport {
  timeOrigin: number;
  scriptStart: number;
  spans: Array<{ name: string; start: number; end: number }>;
}

/** The instrumented worker's spans since the last call (workers/probe-timers.ts). */
export async function takeProbe(): Promise<ProbeReport> {
  const worker = navigator.serviceWorker.controller;
  if (!worker) throw new Error('no controller to probe');
  const channel = new MessageChannel();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the probe did not answer')), 10_000);
    channel.port1.onmessage = (event: MessageEvent<ProbeReport>) => {
      clearTimeout(timer);
      channel.port1.close();
      resolve(event.data);
    };
    worker.postMessage({ benchProbe: true }, [channel.port2]);
  });
}

/** One request on the shared clock (timeOrigin + now), then the worker's spans for it. */
export async function probedFetch(args: {
  probe: Probe;
  accept: string;
}): Promise<{ t0: number; t1: number; ok: boolean; report: ProbeReport }> {
  const clock = () => performance.timeOrigin + performance.now();
  const t0 = clock();
  const res = await fetch(args.probe.url, { headers: { Accept: args.accept } });
  const body = await res.arrayBuffer();
  const t1 = clock();
  const worker = navigator.serviceWorker.controller;
  if (!worker) throw new Error('no controller to probe');
  const channel = new MessageChannel();
  const report = await new Promise<ProbeReport>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the probe did not answer')), 10_000);
    channel.port1.onmessage = (event: MessageEvent<ProbeReport>) => {
      clearTimeout(timer);
      channel.port1.close();
      resolve(event.data);
    };
    worker.postMessage({ benchProbe: true }, [channel.port2]);
  });
  return { t0, t1, ok: res.ok && body.byteLength === args.probe.size, report };
}

/**
 * What one small read-write IndexedDB transaction costs to commit here, by durability: the
 * kind of write regcache makes when it confirms a re-checked tag or batches counters.
 */
export async function commitCost(args: { durability: 'default' | 'relaxed' | 'strict'; count: number }): Promise<number[]> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open('bench-commit', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('records');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const times: number[] = [];
  for (let i = 0; i < args.count; i++) {
    const t0 = performance.now();
    const tx = db.transaction('records', 'readwrite', { durability: args.durability });
    tx.objectStore('records').put({ i, at: Date.now(), pad: 'x'.repeat(200) }, i % 10);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    times.push(performance.now() - t0);
  }
  db.close();
  return times;
}
