// The long run: 10,000 mixed requests (hits, misses, moved tags, expiries with ttl=5,
// evictions under a small maxBytes) with an upstream fault in 5% of them. Afterwards the
// worker's heap is bounded, IndexedDB is back under maxBytes, and no request failed that
// the contract says must succeed. Runs with `npm run test:soak`.
import type { Page } from '@playwright/test';
import { expect, test, uniqueRepo } from '../e2e/support/fixtures.js';
import { checkStore, probeWorker, reliability, sleep } from '../e2e/support/hardening.js';
import { client, stats } from '../e2e/support/store-helpers.js';
import { prng } from '../servers/config-fuzz.js';
import { ACCEPT_ALL, type PushedImage, pushImage } from '../servers/images.js';
import { type FaultRule, registryError } from '../servers/proxy.js';

// REGCACHE_SOAK_TOTAL shortens a run while working on this test; the soak itself is 10,000.
const TOTAL = Number(process.env.REGCACHE_SOAK_TOTAL ?? 10_000);
const BATCH = 25;
const FAULT_RATE = 0.05;
const MOVE_RATE = 0.15; // per batch: about 60 tag moves in the run
const TTL = 5;
// Well under what the tags alone point at (~32 KiB), so eviction runs whatever the pace.
// maxBytes counts each record's keys, headers and overhead as well as its body (about 4 KB
// for one of these manifests with its tag), so this holds about as many records as 16 KiB of
// bodies did: enough that records live to expire, not only to be evicted.
const MAX_BYTES = 96 * 1024;
const TIMEOUT_MS = 1_000;
const TAGS = 40;
const INDEXES = 6;
const MiB = 1024 * 1024;
// Bounds the heap must stay within; the figures themselves go to docs/reliability.md.
const HEAP_LIMIT = 48 * MiB;
const HEAP_GROWTH_LIMIT = 8 * MiB;

type Kind = '503' | '429' | 'reset' | 'corrupt' | 'hang-head' | 'delay';
const KINDS: Kind[] = ['503', '429', 'reset', 'corrupt', 'hang-head', 'delay'];

interface Req {
  url: string;
  method: 'GET' | 'HEAD';
  /** The tag asked for, or null for a digest. */
  tag: string | null;
  /** The digest asked for, for digest requests. */
  digest: string | null;
  /** A tag that does not exist upstream. */
  absent: boolean;
  fault: Kind | null;
}

interface Got {
  status: number;
  /** sha256 of the body (GET) or the Docker-Content-Digest header (HEAD). */
  digest: string;
  cacheStatus: string;
  error?: string;
  errorCode?: string;
}

// The proxy matches a string path as a substring (t2 would catch t22): anchor it.
function exactly(path: string): RegExp {
  return new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

function rule(kind: Kind, at: string): FaultRule | null {
  const path = exactly(at);
  switch (kind) {
    case '503':
    case '429':
      return {
        path,
        status: Number(kind),
        headers: { 'Content-Type': 'application/json' },
        body: registryError(kind === '503' ? 'UNAVAILABLE' : 'TOOMANYREQUESTS', 'soak'),
        times: 1,
      };
    case 'reset':
      return { path, reset: true, times: 1 };
    case 'corrupt':
      return { path, method: 'GET', corruptBody: true, times: 1 };
    case 'hang-head':
      // Only the worker's re-check: a page's own HEAD miss would hang as it would without the worker.
      return { path, method: 'HEAD', hang: true, times: 1 };
    case 'delay':
      return { path, delayMs: 150, times: 1 };
  }
}

async function fire(page: Page, reqs: Req[]): Promise<Got[]> {
  return page.evaluate(
    async ({ reqs, accept }) => {
      const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
      return Promise.all(
        reqs.map(async (r) => {
          try {
            const res = await fetch(r.url, { method: r.method, headers: { Accept: accept }, signal: AbortSignal.timeout(20_000) });
            const body = await res.arrayBuffer();
            const digest =
              r.method === 'HEAD'
                ? (res.headers.get('Docker-Content-Digest') ?? '')
                : `sha256:${hex(await crypto.subtle.digest('SHA-256', body))}`;
            let errorCode: string | undefined;
            let error: string | undefined;
            if (res.status >= 400 && r.method === 'GET') {
              try {
                const first = (JSON.parse(new TextDecoder().decode(body)) as { errors: Array<{ code: string; message: string }> })
                  .errors[0];
                errorCode = first?.code;
                error = first?.message;
              } catch {
                errorCode = undefined;
              }
            }
            return { status: res.status, digest, cacheStatus: res.headers.get('Cache-Status') ?? '', errorCode, error };
          } catch (e) {
            return { status: 0, digest: '', cacheStatus: '', error: String(e) };
          }
        }),
      );
    },
    { reqs, accept: ACCEPT_ALL },
  );
}

// IndexedDB's size as the browser counts it (navigator.storage.estimate).
function idbUsage(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const e = (await navigator.storage.estimate()) as StorageEstimate & { usageDetails?: { indexedDB?: number } };
    return e.usageDetails?.indexedDB ?? e.usage ?? 0;
  });
}

const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;

test('soak: 10,000 mixed requests with ttl=5 and 5% upstream faults', async ({ env, regcache, browser }) => {
  test.setTimeout(15 * 60_000);
  const rand = prng(Number(process.env.REGCACHE_SOAK_SEED ?? 9));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const repo = uniqueRepo('soak');

  // What upstream holds, and what every tag has ever pointed at.
  const current = new Map<string, string>();
  const history = new Map<string, Set<string>>();
  const digests: string[] = [];
  const note = (tag: string, img: PushedImage) => {
    current.set(tag, img.digest);
    if (!history.has(tag)) history.set(tag, new Set());
    history.get(tag)!.add(img.digest);
    digests.push(img.digest, ...img.children.map((c) => c.digest));
  };
  const tags: string[] = [];
  for (let i = 0; i < TAGS + INDEXES; i++) {
    const tag = `t${i}`;
    tags.push(tag);
    note(tag, await pushImage(env.registry.url, repo, tag, i < TAGS ? 'oci' : 'oci-index', { salt: 'v0' }));
  }
  let moves = 0;

  const page = await regcache.open({ ttl: String(TTL), timeout: String(TIMEOUT_MS), maxBytes: String(MAX_BYTES) });
  // An empty regcache database: the floor IndexedDB never goes below.
  await stats(page);
  const emptyDb = await idbUsage(page);
  const probe = await probeWorker(browser, env.pageOrigin);

  const tally = { ok: 0, allowed: new Map<string, number>(), violations: [] as string[], hits: 0, stale: 0, misses: 0, moved: 0 };
  const allow = (why: string) => tally.allowed.set(why, (tally.allowed.get(why) ?? 0) + 1);
  const heap: Array<{ at: number; bytes: number }> = [];
  const stored: number[] = [];
  const usage: number[] = [];
  const checkpoints = new Set([0.1, 0.25, 0.5, 0.75, 1].map((f) => Math.round((TOTAL * f) / BATCH) * BATCH));

  try {
    // Wall time spent pushing moved tags and waiting on the page, for the log.
    const spent = { push: 0, fire: 0 };
    for (let done = 0; done < TOTAL; done += BATCH) {
      let t = Date.now();
      // Tags move between batches, as pushes happen between a page's requests.
      if (rand() < MOVE_RATE) {
        const tag = pick(tags);
        const kind = Number(tag.slice(1)) < TAGS ? 'oci' : 'oci-index';
        note(tag, await pushImage(env.registry.url, repo, tag, kind, { salt: `m${++moves}` }));
      }
      spent.push += Date.now() - t;
      t = Date.now();
      const reqs: Req[] = [];
      const faulted = new Set<string>();
      for (let i = 0; i < BATCH; i++) {
        const roll = rand();
        let req: Req;
        if (roll < 0.55) {
          const tag = pick(tags);
          req = { url: `${env.proxy.url}/v2/${repo}/manifests/${tag}`, method: 'GET', tag, digest: null, absent: false, fault: null };
        } else if (roll < 0.85) {
          const digest = pick(digests);
          req = { url: `${env.proxy.url}/v2/${repo}/manifests/${digest}`, method: 'GET', tag: null, digest, absent: false, fault: null };
        } else if (roll < 0.95) {
          const tag = pick(tags);
          req = { url: `${env.proxy.url}/v2/${repo}/manifests/${tag}`, method: 'HEAD', tag, digest: null, absent: false, fault: null };
        } else {
          const tag = `absent-${Math.floor(rand() * 20)}`;
          req = { url: `${env.proxy.url}/v2/${repo}/manifests/${tag}`, method: 'GET', tag, digest: null, absent: true, fault: null };
        }
        const path = new URL(req.url).pathname;
        // A fault is meant for one request: its path is used by no other in the batch.
        if (rand() < FAULT_RATE && !reqs.some((r) => new URL(r.url).pathname === path)) {
          const kind = req.method === 'HEAD' ? pick(KINDS.filter((k) => k !== 'hang-head')) : pick(KINDS);
          if (kind === 'hang-head' && req.tag === null) req.fault = '503';
          else req.fault = kind;
          faulted.add(path);
          env.proxy.addFault(rule(req.fault, path)!);
        } else if (faulted.has(path)) {
          // Keep the faulted path to its one request: ask for a digest whose path has no fault.
          // (The indexes share their platform manifests, so a blind pick often lands on the
          // faulted digest again, and that request then shares the faulted fetch.)
          const free = digests.filter((d) => !faulted.has(`/v2/${repo}/manifests/${d}`));
          req = { ...req, url: `${env.proxy.url}/v2/${repo}/manifests/${pick(free)}`, method: 'GET', tag: null, absent: false };
          req.digest = new URL(req.url).pathname.split('/').pop()!;
        }
        reqs.push(req);
      }

      const got = await fire(page, reqs);
      env.proxy.clearFaults();
      spent.fire += Date.now() - t;
      if (done % 2_500 === 0)
        console.log(`soak: ${done} requests, ${tally.violations.length} violations, ms spent ${JSON.stringify(spent)}`);

      for (const [i, r] of reqs.entries()) {
        const g = got[i]!;
        const cs = g.cacheStatus;
        if (cs.startsWith('regcache; hit')) cs.includes('detail=stale') ? tally.stale++ : tally.hits++;
        else if (cs.includes('fwd=stale')) tally.moved++;
        else if (cs.startsWith('regcache; fwd=')) tally.misses++;
        const where = `#${done + i} ${r.method} ${r.tag ?? r.digest}${r.fault ? ` [${r.fault}]` : ''}: ${g.status} ${g.error ?? ''} ${cs}`;
        const want = r.tag ? current.get(r.tag) : r.digest;
        const servedStale = cs.includes('detail=stale');

        if (r.absent) {
          // Upstream's 404, whatever the worker; with a fault, upstream's failure instead.
          if (g.status === 404) tally.ok++;
          else if (r.fault && [503, 429, 502, 0].includes(g.status)) allow(`${r.fault}: upstream's failure passed on`);
          else tally.violations.push(where);
          continue;
        }
        if (g.status === 200 && !servedStale && g.digest === want) {
          tally.ok++;
          continue;
        }
        // A stored answer served while the re-check failed (the fault, or a re-check slower
        // than timeout on this shared machine): it must be content the tag had.
        if (g.status === 200 && servedStale && r.tag && history.get(r.tag)!.has(g.digest)) {
          allow(r.fault ? `${r.fault}: stored answer served stale` : 'no fault, re-check slower than timeout: stored answer served stale');
          continue;
        }
        // The tag moved, and the digest it moved to is the one path of the batch with a fault.
        if (!r.fault && r.tag && faulted.has(`/v2/${repo}/manifests/${want}`) && [503, 429, 502, 0].includes(g.status)) {
          allow('fault on the digest a moved tag was fetched by: passed on');
          continue;
        }
        // `timeout` also bounds a pause inside a body: on a machine this busy a healthy answer
        // can pause that long, and the worker says so with a 502 (nothing stored).
        if (!r.fault && g.status === 502 && g.errorCode === 'MANIFEST_INVALID' && /no body data for \d+ ms/.test(g.error ?? '')) {
          allow('no fault, a body paused longer than timeout under machine load: 502 MANIFEST_INVALID (nothing stored)');
          continue;
        }
        if (r.fault) {
          const passed = (r.fault === '503' && g.status === 503) || (r.fault === '429' && g.status === 429);
          const broken = r.fault === 'reset' && g.status === 0;
          const invalid = r.fault === 'corrupt' && g.status === 502 && g.errorCode === 'DIGEST_INVALID';
          if (passed || broken || invalid) {
            allow(
              `${r.fault}: ${passed ? "upstream's status passed on" : broken ? 'network error, as without the worker' : '502 DIGEST_INVALID'} (nothing stored)`,
            );
            continue;
          }
        }
        tally.violations.push(where);
      }

      const count = done + BATCH;
      if (checkpoints.has(count)) {
        heap.push({ at: count, bytes: await probe.heapUsed() });
        const s = await stats(page);
        stored.push(s.storedBytes);
        usage.push(await idbUsage(page));
        expect(s.storedBytes, `storedBytes after ${count} requests`).toBeLessThanOrEqual(MAX_BYTES);
      }
    }

    // The run is over. The store is whole and within its budget.
    const end = await stats(page);
    const store = await checkStore(page);
    expect(store.problems).toEqual([]);
    expect(store.bytes).toBe(end.storedBytes);
    expect(end.storedBytes).toBeLessThanOrEqual(MAX_BYTES);
    const usageAtEnd = await idbUsage(page);
    // Every record has expired a TTL later; the sweeps leave IndexedDB back near empty.
    await sleep((TTL + 1) * 1000);
    await client(page, 'sweep');
    const settled = await idbUsage(page);
    const afterStats = await stats(page);

    console.log(
      JSON.stringify({
        tally: { ...tally, allowed: Object.fromEntries(tally.allowed) },
        heap,
        stored,
        usage,
        usageAtEnd,
        settled,
        emptyDb,
        end,
        spent,
      }),
    );
    expect(tally.violations.slice(0, 20), `${tally.violations.length} requests failed that must succeed`).toEqual([]);
    expect(end.requests).toBeGreaterThanOrEqual(TOTAL);
    expect(end.evicted).toBeGreaterThan(0);
    expect(end.expired).toBeGreaterThan(0);
    expect(probe.exceptions).toEqual([]);
    // Bounded heap: under a fixed limit, and not growing after the warm-up.
    const first = heap[0]!.bytes;
    const peak = Math.max(...heap.map((h) => h.bytes));
    const last = heap.at(-1)!.bytes;
    expect(peak).toBeLessThan(HEAP_LIMIT);
    expect(last - first).toBeLessThan(HEAP_GROWTH_LIMIT);
    expect(afterStats.storedBytes).toBe(0);
    expect(settled - emptyDb).toBeLessThanOrEqual(MAX_BYTES);

    const faults = [...tally.allowed].map(([k, v]) => `${v}× ${k}`).join('; ');
    const injected = tally.violations.length + [...tally.allowed.values()].reduce((a, b) => a + b, 0);
    reliability(
      `soak: ${TOTAL.toLocaleString('en')} mixed requests (tags, digests, HEADs, absent tags; ${moves} tag moves; ttl=${TTL}, maxBytes=${kib(MAX_BYTES)}), an upstream fault (503, 429, reset, corrupt body, hung re-check, delay) in 5% of them`,
      `${tally.violations.length} failed that the contract says must succeed; ${tally.ok} answered exactly; faults ended as allowed: ${faults || 'none'} (${injected} in all); worker stats: ${end.hits} hits, ${end.misses} misses, ${end.stale} stale, ${end.expired} expired, ${end.evicted} evicted`,
    );
    reliability(
      'soak: worker heap (CDP Runtime.getHeapUsage after a forced GC)',
      `${heap.map((h) => `${h.at}: ${mib(h.bytes)}`).join(', ')}; bounded (limit ${mib(HEAP_LIMIT)}, growth after warm-up under ${mib(HEAP_GROWTH_LIMIT)})`,
    );
    reliability(
      'soak: storage under maxBytes',
      `stats.storedBytes at checkpoints ${stored.map(kib).join(', ')} (≤ ${kib(MAX_BYTES)}); IndexedDB (navigator.storage.estimate) ${usage.map(kib).join(', ')}, ${kib(usageAtEnd)} at the end, ${kib(settled)} once the last records expired, against ${kib(emptyDb)} for an empty regcache database: back under maxBytes`,
    );
  } finally {
    env.proxy.clearFaults();
    await probe.stop();
  }
});
