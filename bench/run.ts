// `npm run bench`: regcache against the floor, Workbox, no cache and distribution's own
// pull-through cache, in one Chromium, interleaved round-robin so that the machine's noise
// lands on every scenario alike. Writes a markdown table to stdout and .results/bench.json.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../playwright.config.js';
import { replaceSection } from '../scripts/docs-section.mjs';
import { acceptKey, parseAccept } from '../src/core/http/accept.js';
import { MEMORY_BYTES } from '../src/sw/storage/memory.js';
import { ACCEPT_ALL, OCI_INDEX, OCI_MANIFEST } from '../test/servers/images.js';
import { startProxy, type UpstreamProxy } from '../test/servers/proxy.js';
import { type Registry, startRegistry } from '../test/servers/registry.js';
import { buildWorkers, type FloorData } from './build.js';
import {
  type BenchManifest,
  type Blobs,
  imageManifest,
  MANIFEST_SIZES,
  paddedManifest,
  pushBlobs,
  pushLatencySet,
  pushManifest,
} from './images.js';
import { type Origin, startOrigin } from './origins.js';
import type { Probe, Sequential } from './page-side.js';
import * as inPage from './page-side.js';
import { type Results, renderMarkdown, type TargetResult } from './report.js';
import { median, summarize } from './stats.js';
import { WorkerControl } from './worker-control.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIST_DIR = join(ROOT, 'dist');
const PAGE_DIR = join(ROOT, 'bench', 'page');
export const BENCH_DIR = join(ROOT, 'bench');
// Generated figures go to the git-ignored .results/; the docs page shows the tables.
export const RESULTS_DIR = join(ROOT, '.results');
export const RESULTS_PATH = join(RESULTS_DIR, 'bench.json');

export const REPO = 'bench/app';
export const DELAY_MS = 40;
// BENCH_SAMPLES lowers the counts for a quick look; the published figures use the defaults.
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 500);
export const BLOCK = 10;
const LOAD_REQUESTS = 500;
const LOAD_REPS = Number(process.env.BENCH_LOAD_REPS ?? 2);
const SWEEP_TRIALS = Number(process.env.BENCH_SWEEP_TRIALS ?? 5);
// BENCH_ONLY=<ids, comma-separated> runs a part, for a quick look while developing; the
// published figures use a full run. Latency scenario ids run those rows (and the floor),
// then the economy; the id `sweep` runs the sweep phase, with only the two cases its
// target compares (100,000 and 1,000 stored, 1,000 expired). The storage phase is skipped.
// `BENCH_ONLY=sweep` alone runs the sweeps and nothing else.
const ONLY = process.env.BENCH_ONLY?.split(',').map((id) => id.trim());
const ONLY_SWEEP = ONLY?.includes('sweep') ?? false;
const ONLY_LATENCY = ONLY?.some((id) => id !== 'sweep') ?? true;
const ECONOMY_REQUESTS = 1_000;
const ECONOMY_TAGS = 20;
// About 2 MB of bodies: well inside LevelDB's 4 MB write buffer on a fresh origin, so the
// figure does not depend on whether a flush to a compressed table happened to fall inside.
const STORAGE_MANIFESTS = Number(process.env.BENCH_STORAGE_MANIFESTS ?? 120);

// Under 128 bytes and free of unsafe characters, so a cross-origin GET or HEAD with it
// needs no CORS preflight: the latency rows then compare caches, not preflight caches.
// The economy uses ACCEPT_ALL (Docker types too), which is preflighted, and counts that.
export const LATENCY_ACCEPT = `${OCI_MANIFEST}, ${OCI_INDEX}`;

export const COLUMNS = ['delay', 'direct'] as const;
export type Column = (typeof COLUMNS)[number];

type WorkerKind = 'floor' | 'regcache' | 'workbox' | 'relay' | 'relay-head' | null;

// The usual four types, Docker's too: longer than 128 bytes, so CORS-preflighted.
export const PREFLIGHTED_ACCEPT = ACCEPT_ALL;

interface ScenarioDef {
  id: string;
  label: string;
  worker: WorkerKind;
  /** regcache's `fresh` parameter. */
  fresh?: number;
  /** regcache's `swr` parameter. */
  swr?: number;
  refs: 'digest' | 'tag';
  via: 'proxy' | 'distribution';
  /**
   * Stop the worker through CDP before each request (or each load batch). These rows never
   * reach upstream, so they are measured in the first column only.
   */
  stop?: boolean;
  /** What every measured answer's Cache-Status must be. */
  expect?: RegExp;
  /** The page's Accept: LATENCY_ACCEPT (no preflight) unless 'preflighted' (PREFLIGHTED_ACCEPT). */
  accept?: 'preflighted';
  /**
   * Every request asks for a record the warm worker has not read lately: stored in
   * IndexedDB and not in its in-memory copy (see COLD_RECORDS). No upstream traffic, so
   * measured in the first column only.
   */
  cold?: boolean;
}

export const acceptOf = (def: { accept?: 'preflighted' }): string => (def.accept ? PREFLIGHTED_ACCEPT : LATENCY_ACCEPT);

const REVALIDATED = /^regcache; hit; ttl; detail=revalidated$/;

const HIT = /^regcache; hit; ttl$/;

const ALL_SCENARIOS: ScenarioDef[] = [
  { id: 'floor', label: 'floor: `new Response(bytes)` from memory', worker: 'floor', refs: 'digest', via: 'proxy', expect: /^floor$/ },
  {
    id: 'regcache-digest',
    label: 'regcache: hit by digest, worker warm',
    worker: 'regcache',
    fresh: 3600,
    refs: 'digest',
    via: 'proxy',
    expect: HIT,
  },
  {
    id: 'regcache-first-read',
    label: 'regcache: first read of a stored record, worker warm (IndexedDB)',
    worker: 'regcache',
    fresh: 3600,
    refs: 'digest',
    via: 'proxy',
    cold: true,
    expect: HIT,
  },
  {
    id: 'regcache-tag-fresh',
    label: 'regcache: hit by tag inside `fresh`',
    worker: 'regcache',
    fresh: 3600,
    refs: 'tag',
    via: 'proxy',
    expect: HIT,
  },
  {
    id: 'regcache-tag-head',
    label: 'regcache: hit by tag re-checked with `HEAD`',
    worker: 'regcache',
    fresh: 0,
    refs: 'tag',
    via: 'proxy',
    expect: REVALIDATED,
  },
  {
    id: 'regcache-tag-head-pf',
    label: 'regcache: hit by tag re-checked with `HEAD`, preflighted `Accept`',
    worker: 'regcache',
    fresh: 0,
    refs: 'tag',
    via: 'proxy',
    expect: REVALIDATED,
    accept: 'preflighted',
  },
  { id: 'relay', label: 'relay: the worker fetches each request itself (`no-store`)', worker: 'relay', refs: 'tag', via: 'proxy' },
  {
    id: 'relay-pf',
    label: 'relay, preflighted `Accept`',
    worker: 'relay',
    refs: 'tag',
    via: 'proxy',
    accept: 'preflighted',
  },
  {
    id: 'relay-head',
    label: 'relay, `HEAD`: the worker sends a `HEAD`, answers from memory',
    worker: 'relay-head',
    refs: 'tag',
    via: 'proxy',
    expect: /^floor$/,
  },
  {
    id: 'relay-head-pf',
    label: 'relay, `HEAD`, preflighted `Accept`',
    worker: 'relay-head',
    refs: 'tag',
    via: 'proxy',
    expect: /^floor$/,
    accept: 'preflighted',
  },
  {
    // Each answer leaves a background HEAD (one per tag at a time), sent once the worker
    // is quiet, after the block: upstream traffic as with `fresh=0`, at the latency of a hit.
    id: 'regcache-tag-swr',
    label: 'regcache: hit by tag within `swr`, re-checked in the background',
    worker: 'regcache',
    fresh: 0,
    swr: 3600,
    refs: 'tag',
    via: 'proxy',
    expect: /^regcache; hit; ttl; detail=stale-while-revalidate$/,
  },
  { id: 'workbox', label: 'Workbox `CacheFirst` + `ExpirationPlugin`', worker: 'workbox', refs: 'digest', via: 'proxy' },
  { id: 'nocache', label: 'no cache: the page fetches upstream', worker: null, refs: 'digest', via: 'proxy' },
  { id: 'nocache-tag', label: 'no cache, by tag', worker: null, refs: 'tag', via: 'proxy' },
  { id: 'nocache-tag-pf', label: 'no cache, by tag, preflighted `Accept`', worker: null, refs: 'tag', via: 'proxy', accept: 'preflighted' },
  { id: 'distribution-digest', label: 'distribution pull-through, warm, by digest', worker: null, refs: 'digest', via: 'distribution' },
  {
    id: 'floor-stopped',
    label: 'floor, first request after a worker stop',
    worker: 'floor',
    refs: 'digest',
    via: 'proxy',
    stop: true,
    expect: /^floor$/,
  },
  {
    id: 'regcache-stopped',
    label: 'regcache: hit by digest after a worker stop (IndexedDB)',
    worker: 'regcache',
    fresh: 3600,
    refs: 'digest',
    via: 'proxy',
    stop: true,
    expect: HIT,
  },
];

export const LATENCY_SCENARIOS = !ONLY_LATENCY
  ? []
  : ONLY
    ? ALL_SCENARIOS.filter((d) => d.id === 'floor' || ONLY.includes(d.id))
    : ALL_SCENARIOS;

// The first-read row reads its records in turn, round and round, from this many: twice what
// the worker's in-memory copy holds (in bytes, the bound that binds for these manifests), so
// each record has left the copy, least recently used, long before its turn comes again.
const coldRecords = (set: BenchManifest[]) => Math.ceil((2 * MEMORY_BYTES) / (set.reduce((n, m) => n + m.body.length, 0) / set.length));
// The first-read row's warm-up: enough to warm the JITs, which any record read does.
const COLD_WARMUP = 60;

interface Scenario extends ScenarioDef {
  page: Page;
  origin: Origin;
  control?: WorkerControl;
  columns: Column[];
  probes: Record<Column, Probe[]>;
  /** What this scenario's worker calls upstream, per column. */
  upstream: Record<Column, UpstreamProxy>;
  /** The first-read row's next record: every request, warm-up and load too, takes the next. */
  cursor: number;
}

export const columnsOf = (def: { stop?: boolean; cold?: boolean }): Column[] => (def.stop || def.cold ? ['delay'] : [...COLUMNS]);

export interface Env {
  tmp: string;
  buildDir: string;
  registry: Registry;
  /** What pages and workers call upstream, one per column. */
  upstream: Record<Column, UpstreamProxy>;
  /** distribution's pull-through caches, and the proxies between them and the registry. */
  distribution: Record<Column, Registry>;
  distributionUpstream: Record<Column, UpstreamProxy>;
  context: BrowserContext;
  blobs: Blobs;
  latencySet: BenchManifest[];
  stops: Array<() => Promise<unknown>>;
}

export const log = (...parts: unknown[]) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...parts);

export async function delayed(target: string, delayMs: number): Promise<UpstreamProxy> {
  const proxy = await startProxy(target, { corsOrigin: '*' });
  if (delayMs > 0) {
    // A rule without a method leaves preflights alone; real latency does not.
    proxy.addFault({ delayMs });
    proxy.addFault({ method: 'OPTIONS', delayMs });
  }
  return proxy;
}

// Whatever fails part-way, everything started so far is stopped through `stops`.
async function setUp(stops: Env['stops']): Promise<Env> {
  const tmp = await mkdtemp(join(tmpdir(), 'regcache-bench-'));
  stops.push(() => rm(tmp, { recursive: true, force: true }));

  // CORS for any origin: every scenario's page and worker has an origin of its own.
  const registry = await startRegistry({ corsOrigins: ['*'] });
  stops.push(() => registry.stop());
  const blobs = await pushBlobs(registry.url, REPO);
  const latencySet = await pushLatencySet(registry.url, REPO, blobs);

  const upstream = { delay: await delayed(registry.url, DELAY_MS), direct: await delayed(registry.url, 0) };
  const distributionUpstream = { delay: await delayed(registry.url, DELAY_MS), direct: await delayed(registry.url, 0) };
  for (const p of [...Object.values(upstream), ...Object.values(distributionUpstream)]) stops.push(() => p.stop());
  const distribution = {
    delay: await startRegistry({ corsOrigins: ['*'], proxy: { remoteUrl: distributionUpstream.delay.url } }),
    direct: await startRegistry({ corsOrigins: ['*'], proxy: { remoteUrl: distributionUpstream.direct.url } }),
  };
  for (const d of Object.values(distribution)) stops.push(() => d.stop());

  const buildDir = join(tmp, 'build');
  await buildWorkers(
    buildDir,
    await floorData(
      registry.url,
      COLUMNS.map((c) => upstream[c].url),
      latencySet,
    ),
  );

  const context = await launchOnDisk(join(tmp, 'profile'), stops);
  return { tmp, buildDir, registry, upstream, distribution, distributionUpstream, context, blobs, latencySet, stops };
}

export async function tearDown(stops: Env['stops']): Promise<void> {
  for (const stop of stops.splice(0).reverse()) await stop().catch((e: unknown) => log('teardown:', e));
}

export function manifestUrl(base: string, m: BenchManifest, refs: 'digest' | 'tag'): string {
  return `${base}/v2/${m.repo}/manifests/${refs === 'digest' ? m.digest : m.tag}`;
}

export function regcacheScript(upstreams: string[], params: Record<string, number> = {}, script = '/regcache-sw.js'): string {
  const q = new URLSearchParams();
  for (const u of upstreams) q.append('upstream', u);
  for (const [k, v] of Object.entries(params)) q.set(k, String(v));
  return `${script}?${q.toString()}`;
}

// What the floor answers with: upstream's own headers for each manifest, plus what every
// worker-made answer needs (Content-Length, a Cache-Status, and the exposed names).
export async function floorData(registry: string, upstreams: string[], set: BenchManifest[]): Promise<FloorData> {
  const data: FloorData = { manifests: [], urls: {} };
  for (const m of set) {
    const res = await fetch(manifestUrl(registry, m, 'digest'), { headers: { Accept: LATENCY_ACCEPT } });
    await res.arrayBuffer();
    const headers: [string, string][] = [
      ['Content-Type', res.headers.get('content-type') ?? ''],
      ['Content-Length', String(m.body.length)],
      ['Docker-Content-Digest', res.headers.get('docker-content-digest') ?? ''],
      ['Etag', res.headers.get('etag') ?? ''],
      ['Docker-Distribution-Api-Version', res.headers.get('docker-distribution-api-version') ?? ''],
      ['Cache-Status', 'floor'],
    ];
    headers.push(['Access-Control-Expose-Headers', headers.map(([n]) => n.toLowerCase()).join(', ')]);
    const i = data.manifests.push({ body: m.body.toString('utf8'), headers }) - 1;
    for (const base of upstreams) data.urls[manifestUrl(base, m, 'digest')] = i;
  }
  return data;
}

export async function openPage(context: BrowserContext, origin: Origin, script: string | null): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${origin.url}/index.html`);
  if (script) {
    const reg = await page.evaluate(inPage.register, script);
    if (!reg.ok) throw new Error(`register(${script}) on ${origin.url}: ${reg.message}`);
    // A claim can land late; a reload makes the page a client of the active worker.
    if (!(await page.evaluate(inPage.controlled))) await page.reload();
    if (!(await page.evaluate(inPage.controlled))) throw new Error(`${script} does not control ${origin.url}`);
  }
  return page;
}

/** A scenario's origin: the bench's workers, regcache's dist/, and a blank page. */
export async function scenarioOrigin(buildDir: string, stops: Env['stops']): Promise<Origin> {
  const origin = await startOrigin([buildDir, DIST_DIR, PAGE_DIR]);
  stops.push(() => origin.stop());
  return origin;
}

const newOrigin = (env: Env) => scenarioOrigin(env.buildDir, env.stops);

function scriptFor(def: { worker: WorkerKind; fresh?: number; swr?: number }, upstreams: string[]): string | null {
  switch (def.worker) {
    case 'floor':
      return '/floor-sw.js';
    case 'workbox':
      return '/workbox-sw.js';
    case 'relay':
      return '/relay-sw.js';
    case 'relay-head':
      return '/relay-head-sw.js';
    case 'regcache':
      return regcacheScript(upstreams, {
        ...(def.fresh === undefined ? {} : { fresh: def.fresh }),
        ...(def.swr === undefined ? {} : { swr: def.swr }),
      });
    case null:
      return null;
  }
}

async function openScenarios(env: Env): Promise<Scenario[]> {
  const scenarios: Scenario[] = [];
  for (const def of LATENCY_SCENARIOS) {
    const origin = await newOrigin(env);
    const upstreams = COLUMNS.map((c) => env.upstream[c].url);
    const page = await openPage(env.context, origin, scriptFor(def, upstreams));
    const base = (col: Column) => (def.via === 'distribution' ? env.distribution[col] : env.upstream[col]).url;
    const probes = Object.fromEntries(
      COLUMNS.map((col) => [col, env.latencySet.map((m) => ({ url: manifestUrl(base(col), m, def.refs), size: m.body.length }))]),
    ) as Record<Column, Probe[]>;
    if (def.cold) probes.delay = await seedCold(page, env.upstream.delay.url, env.latencySet);
    const control = def.stop ? await WorkerControl.attach(page) : undefined;
    scenarios.push({
      ...def,
      page,
      origin,
      probes,
      upstream: env.upstream,
      columns: columnsOf(def),
      cursor: 0,
      ...(control ? { control } : {}),
    });
  }
  return scenarios;
}

// Stores the first-read row's records (the latency set's manifests under made-up digests)
// straight into IndexedDB, which the worker has never read; answers their probes.
async function seedCold(page: Page, upstream: string, set: BenchManifest[]): Promise<Probe[]> {
  await page.evaluate(inPage.wake);
  const count = coldRecords(set);
  const bodies = set.map((m) => ({ body: m.body.toString('utf8'), mediaType: m.mediaType, apiVersion: 'registry/2.0' }));
  const seedMs = await page.evaluate(inPage.seedManifests, { upstream, repository: REPO, bodies, count });
  log(`first read: seeded ${count} records in ${(seedMs / 1000).toFixed(1)} s`);
  return Array.from({ length: count }, (_, i) => {
    const m = set[i % set.length]!;
    return { url: `${upstream}/v2/${REPO}/manifests/${inPage.digestOfSeeded(i)}`, size: m.body.length };
  });
}

// Where a scenario's next `count` requests start: the first-read row moves its cursor on.
function nextStart(s: Scenario, start: number, count: number): number {
  if (!s.cold) return start;
  const at = s.cursor;
  s.cursor += count;
  return at;
}

// The same order every round would give the first scenario of a round whatever the
// previous round left behind (a running GC, a busy registry); rotating spreads that out.
export function rotate<T>(items: T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

interface LatencyRecord {
  times: number[];
  answers: Record<string, number>;
  errors: string[];
  /** Wall time this scenario took in the phase, stops and round trips to the page included. */
  spentMs: number;
}

function merge(into: LatencyRecord, from: Sequential): void {
  into.times.push(...from.times);
  for (const [k, v] of Object.entries(from.answers)) into.answers[k] = (into.answers[k] ?? 0) + v;
  into.errors.push(...from.errors.slice(0, 5 - Math.min(5, into.errors.length)));
}

async function measureLatency(scenarios: Scenario[]): Promise<Record<string, Record<Column, LatencyRecord>>> {
  const out: Record<string, Record<Column, LatencyRecord>> = {};
  const pairs = scenarios.flatMap((s) => s.columns.map((col) => ({ s, col })));
  for (const { s, col } of pairs) {
    const records = out[s.id] ?? ({} as Record<Column, LatencyRecord>);
    out[s.id] = records;
    records[col] = { times: [], answers: {}, errors: [], spentMs: 0 };
    // Warm-up: the first pass stores (regcache, Workbox, distribution); the rest warms the JITs.
    const count = s.cold ? COLD_WARMUP : s.probes[col].length * 4;
    await s.page.evaluate(inPage.sequential, { probes: s.probes[col], accept: acceptOf(s), start: nextStart(s, 0, count), count });
  }
  const rounds = Math.ceil(SAMPLES / BLOCK);
  const started = Date.now();
  for (let round = 0; round < rounds; round++) {
    for (const { s, col } of rotate(pairs, round)) {
      const record = out[s.id]![col];
      const args = { probes: s.probes[col], accept: acceptOf(s), start: nextStart(s, round * BLOCK, BLOCK), count: BLOCK };
      const t0 = Date.now();
      if (s.control) {
        for (let i = 0; i < BLOCK; i++) {
          await s.control.stop();
          merge(record, await s.page.evaluate(inPage.sequential, { ...args, start: args.start + i, count: 1 }));
        }
      } else {
        merge(record, await s.page.evaluate(inPage.sequential, args));
      }
      record.spentMs += Date.now() - t0;
      // A row's background re-checks (swr) run once its worker is quiet, after its block:
      // they must end before the next row's block, so that none is measured in another row.
      if (s.swr) await untilQuiet(s.upstream[col]);
    }
    if (round % 10 === 9) log(`latency: round ${round + 1}/${rounds}, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  return out;
}

interface LoadRecord {
  totals: number[];
  answers: Record<string, number>;
  errors: string[];
}

async function measureLoad(scenarios: Scenario[]): Promise<Record<string, Record<Column, LoadRecord>>> {
  const out: Record<string, Record<Column, LoadRecord>> = {};
  const pairs = scenarios.flatMap((s) => s.columns.map((col) => ({ s, col })));
  for (let rep = 0; rep < LOAD_REPS; rep++) {
    for (const { s, col } of rotate(pairs, rep)) {
      const records = out[s.id] ?? ({} as Record<Column, LoadRecord>);
      out[s.id] = records;
      records[col] ??= { totals: [], answers: {}, errors: [] };
      const record = records[col];
      if (s.control) await s.control.stop();
      const r = await s.page.evaluate(inPage.concurrent, {
        probes: s.probes[col],
        accept: acceptOf(s),
        count: LOAD_REQUESTS,
        start: nextStart(s, 0, LOAD_REQUESTS),
      });
      record.totals.push(r.totalMs);
      for (const [k, v] of Object.entries(r.answers)) record.answers[k] = (record.answers[k] ?? 0) + v;
      record.errors.push(...r.errors.slice(0, 5));
      if (s.swr) await untilQuiet(s.upstream[col]);
    }
    log(`load: repetition ${rep + 1}/${LOAD_REPS}`);
  }
  return out;
}

// Chromium with a persistent profile in `dir`, so IndexedDB and Cache Storage live on disk
// as they do for users (a fresh Playwright context keeps them in memory).
export async function launchOnDisk(dir: string, stops: Env['stops']): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  stops.push(() => context.close());
  return context;
}

// ---- sweep ----

// Records are what regcache keeps in IndexedDB, manifests and tags alike. They are seeded
// as pairs, a manifest and the tag that points at it, which expire together: 100,000
// records are 50,000 images.
// The sweep reads a manifest record to learn its size, so bodies are kept but small:
// 100,000 records of real sizes would take a gigabyte.
const SEED_BODY_BYTES = 64;
// The Accept key regcache would give a tag fetched with ACCEPT_ALL.
const SEED_ACCEPT = acceptKey(parseAccept(ACCEPT_ALL));

// Writes `pairs` manifest-and-tag pairs into the page origin's regcache database; returns
// the time it took. Live records are numbered apart from the expired ones, which each
// trial re-creates under the same keys.
export function seedPairs(page: Page, upstream: string, pairs: number, expired: boolean): Promise<number> {
  const from = expired ? 0 : 10_000_000;
  return page.evaluate(inPage.seed, { upstream, from, count: pairs, expired, bodyBytes: SEED_BODY_BYTES, accept: SEED_ACCEPT });
}

const ALL_SWEEP_CASES = [
  { id: '1k', stored: 1_000, expired: 10 },
  { id: '10k', stored: 10_000, expired: 100 },
  { id: '100k', stored: 100_000, expired: 1_000 },
  { id: '1k-all', stored: 1_000, expired: 1_000 },
];
// BENCH_ONLY with `sweep`: the two cases the target compares.
const SWEEP_CASES = ONLY ? ALL_SWEEP_CASES.filter((c) => c.id === '100k' || c.id === '1k-all') : ALL_SWEEP_CASES;

export interface SweepRecord {
  stored: number;
  expired: number;
  // IndexedDB's share of the origin's storage before the trials, live records only.
  databaseBytes: number;
  ms: number[];
  visited: number[];
  deleted: number[];
}

interface SweepCase {
  id: string;
  stored: number;
  expired: number;
  page: Page;
}

// Opens one regcache origin per case and seeds its live records. Nothing here is timed, so
// it runs while the storage and economy phases do.
async function prepareSweeps(env: Env): Promise<SweepCase[]> {
  const upstream = env.upstream.direct.url;
  const cases: SweepCase[] = [];
  for (const c of SWEEP_CASES) {
    const page = await openPage(env.context, await newOrigin(env), regcacheScript([upstream]));
    await page.evaluate(inPage.wake);
    const live = (c.stored - c.expired) / 2;
    const seedMs = await seedPairs(page, upstream, live, false);
    log(`sweep: ${c.id}: seeded ${live * 2} live records in ${(seedMs / 1000).toFixed(1)} s`);
    cases.push({ ...c, page });
  }
  return cases;
}

async function measureSweeps(env: Env, cases: SweepCase[]): Promise<Record<string, SweepRecord>> {
  const upstream = env.upstream.direct.url;
  // A database that grew over weeks has been compacted; one bulk-loaded a minute ago may
  // still be. Wait until each origin's storage use stops changing (at most 10 s each).
  const settle = Date.now();
  const out: Record<string, SweepRecord> = {};
  for (const c of cases) {
    const { indexedDB } = await c.page.evaluate(inPage.usage);
    out[c.id] = { stored: c.stored, expired: c.expired, databaseBytes: indexedDB, ms: [], visited: [], deleted: [] };
  }
  log(`sweep: databases settled in ${((Date.now() - settle) / 1000).toFixed(1)} s`);
  for (let trial = 0; trial < SWEEP_TRIALS; trial++) {
    for (const c of rotate(cases, trial)) {
      const record = out[c.id]!;
      // A stopped worker would sweep at start-up, before the timed sweep: keep it running.
      await c.page.evaluate(inPage.wake);
      await seedPairs(c.page, upstream, c.expired / 2, true);
      const r = await c.page.evaluate(inPage.sweep);
      record.ms.push(r.ms);
      record.visited.push(r.visited);
      record.deleted.push(r.deleted);
    }
  }
  for (const c of cases) await c.page.close();
  return out;
}

// ---- storage ----

export interface StorageRecord {
  manifests: number;
  meanBodyBytes: number;
  byDigest: number;
  byTag: number;
}

async function measureStorage(env: Env): Promise<Record<string, StorageRecord>> {
  const upstream = env.upstream.direct.url;
  const set: BenchManifest[] = [];
  for (let start = 0; start < STORAGE_MANIFESTS; start += 8) {
    const batch = [];
    for (let i = start; i < Math.min(STORAGE_MANIFESTS, start + 8); i++) {
      const size = MANIFEST_SIZES[i % MANIFEST_SIZES.length]!;
      batch.push(pushManifest(env.registry.url, REPO, `st${i}`, OCI_MANIFEST, paddedManifest(env.blobs, size, `st${i}`)));
    }
    set.push(...(await Promise.all(batch)));
  }
  // The same manifests both ways, each way on a fresh origin.
  const modes = {
    byDigest: set.map((m) => ({ url: manifestUrl(upstream, m, 'digest'), size: m.body.length })),
    byTag: set.map((m) => ({ url: manifestUrl(upstream, m, 'tag'), size: m.body.length })),
  };
  const meanBodyBytes = set.reduce((a, m) => a + m.body.length, 0) / set.length;
  const out: Record<string, StorageRecord> = {};
  for (const worker of ['regcache', 'workbox'] as const) {
    const record: StorageRecord = { manifests: STORAGE_MANIFESTS, meanBodyBytes, byDigest: NaN, byTag: NaN };
    for (const [mode, probes] of Object.entries(modes) as Array<[keyof typeof modes, Probe[]]>) {
      // An origin of its own each time, so nothing stored before blurs the difference.
      const page = await openPage(env.context, await newOrigin(env), scriptFor({ worker }, [upstream]));
      const before = await page.evaluate(inPage.usage);
      const r = await page.evaluate(inPage.sequential, { probes, accept: LATENCY_ACCEPT, start: 0, count: probes.length });
      if (r.errors.length) throw new Error(`storage (${worker}): ${r.errors.slice(0, 3).join('; ')}`);
      // regcache writes last-use times and counters a second after the last hit.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const after = await page.evaluate(inPage.usage);
      record[mode] = (after.usage - before.usage) / probes.length;
      await page.close();
    }
    out[worker] = record;
  }
  return out;
}

// ---- upstream economy ----

export interface EconomyRecord {
  requests: number;
  gets: number;
  heads: number;
  /** GETs of a tag that never moved, after its first fetch. */
  unchangedTagGets: number;
  /** GET /v2/: distribution checks upstream's auth before each tag lookup. */
  pings: number;
  preflights: number;
  /** Answers for the moved tag that still carried its old digest. */
  staleAnswers: number;
  movedTagRequests: number;
  /** Wall time of this cache's requests, for the time budget. */
  spentMs: number;
}

// Until the proxy has answered everything it received, and nothing new came for a while.
async function untilQuiet(proxy: UpstreamProxy): Promise<void> {
  const deadline = Date.now() + 10_000;
  let seen = -1;
  while (Date.now() < deadline) {
    const busy = proxy.log.some((e) => e.status === 0);
    if (!busy && proxy.log.length === seen) return;
    seen = busy ? -1 : proxy.log.length;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('economy: upstream requests still pending after 10 s');
}

async function measureEconomy(env: Env): Promise<Record<string, EconomyRecord>> {
  const tags: BenchManifest[] = [];
  for (let i = 0; i < ECONOMY_TAGS; i++) {
    tags.push(await pushManifest(env.registry.url, REPO, `e${i}`, OCI_MANIFEST, imageManifest(env.blobs, 1_000 + i * 50, `e${i}`)));
  }
  // 5% of the tags move halfway through.
  const moved = new Set([7]);
  const defs = [
    { id: 'regcache-fresh0', worker: 'regcache' as const, fresh: 0 },
    { id: 'regcache-fresh60', worker: 'regcache' as const, fresh: 60 },
    { id: 'regcache-swr', worker: 'regcache' as const, fresh: 0, swr: 3600 },
    { id: 'workbox', worker: 'workbox' as const },
    { id: 'nocache', worker: null },
    { id: 'distribution', worker: null, distribution: true },
  ];
  const runs = [];
  for (const def of defs) {
    const proxy = await delayed(env.registry.url, 0);
    env.stops.push(() => proxy.stop());
    let base = proxy.url;
    if (def.distribution) {
      const d = await startRegistry({ corsOrigins: ['*'], proxy: { remoteUrl: proxy.url } });
      env.stops.push(() => d.stop());
      base = d.url;
    }
    const page = await openPage(env.context, await newOrigin(env), scriptFor(def, [proxy.url]));
    proxy.reset();
    runs.push({ ...def, proxy, page, base, spentMs: 0, digests: [] as Array<{ tag: number; digest: string; afterMove: boolean }> });
  }
  const passes = ECONOMY_REQUESTS / ECONOMY_TAGS;
  const newDigests = new Map<number, string>();
  for (let pass = 0; pass < passes; pass++) {
    if (pass === passes / 2) {
      for (const i of moved) {
        const t = tags[i]!;
        const m = await pushManifest(
          env.registry.url,
          REPO,
          t.tag,
          OCI_MANIFEST,
          imageManifest(env.blobs, t.body.length, `${t.tag}-moved`),
        );
        newDigests.set(i, m.digest);
      }
    }
    // Counts, not times, so the caches (each with its own proxy and origin) run side by
    // side, and each pass asks for its 20 tags at once, as a page listing them would.
    await Promise.all(
      runs.map(async (run) => {
        const probes = tags.map((m) => ({ url: manifestUrl(run.base, m, 'tag'), size: m.body.length }));
        // After the move the moved tag's body has the same length; only its digest differs.
        const t0 = Date.now();
        const r = await run.page.evaluate(inPage.parallel, { probes, accept: ACCEPT_ALL });
        run.spentMs += Date.now() - t0;
        if (r.errors.length) throw new Error(`economy (${run.id}): ${r.errors.slice(0, 3).join('; ')}`);
        for (const [tag, digest] of r.digests.entries()) run.digests.push({ tag, digest, afterMove: pass >= passes / 2 });
        // Background re-checks (swr) end after the answers: let them finish before the next
        // round, as a page's next look at its tags would come later, so that each round's
        // HEADs are counted and none is shared with the next round's.
        if ('swr' in run) await untilQuiet(run.proxy);
      }),
    );
  }
  const out: Record<string, EconomyRecord> = {};
  for (const run of runs) {
    const entries = run.proxy.log.filter((e) => e.path.includes('/manifests/'));
    const getsOf = (ref: string) => entries.filter((e) => e.method === 'GET' && e.path.endsWith(`/manifests/${ref}`)).length;
    let unchangedTagGets = 0;
    tags.forEach((t, i) => {
      if (moved.has(i)) return;
      unchangedTagGets += Math.max(0, getsOf(t.tag) - 1) + getsOf(t.digest);
    });
    const movedAnswers = run.digests.filter((d) => moved.has(d.tag) && d.afterMove);
    out[run.id] = {
      requests: run.digests.length,
      gets: entries.filter((e) => e.method === 'GET').length,
      heads: entries.filter((e) => e.method === 'HEAD').length,
      unchangedTagGets,
      pings: run.proxy.log.filter((e) => e.method === 'GET' && e.path === '/v2/').length,
      preflights: run.proxy.log.filter((e) => e.method === 'OPTIONS').length,
      staleAnswers: movedAnswers.filter((d) => d.digest !== newDigests.get(d.tag)).length,
      movedTagRequests: movedAnswers.length,
      spentMs: run.spentMs,
    };
    await run.page.close();
  }
  return out;
}

// Five tabs of one origin, a token each, ask for one cold digest at once (upstream +40 ms, so
// the requests overlap as they would across a network). regcache makes one GET; each other
// tab is authorized by a HEAD with its own token. The test registry takes any token, so every
// HEAD succeeds; one more HEAD, without credentials, decides whether the record is public.
async function measureSharedPull(env: Env): Promise<EconomyRecord> {
  const TABS = 5;
  const m = await pushManifest(env.registry.url, REPO, 'shared', OCI_MANIFEST, imageManifest(env.blobs, 1_234, 'shared'));
  const proxy = await delayed(env.registry.url, DELAY_MS);
  env.stops.push(() => proxy.stop());
  const origin = await newOrigin(env);
  const pages: Page[] = [];
  for (let i = 0; i < TABS; i++) {
    // The first tab registers regcache; the others open under it, as tabs of the same app do.
    const page = await openPage(env.context, origin, i === 0 ? regcacheScript([proxy.url]) : null);
    if (!(await page.evaluate(inPage.controlled))) throw new Error('shared pull: a tab is not controlled by regcache');
    pages.push(page);
  }
  proxy.reset();
  const url = manifestUrl(proxy.url, m, 'digest');
  const t0 = Date.now();
  const answers = await Promise.all(
    pages.map((page, i) =>
      page.evaluate(
        async ({ url, accept, token }) => {
          const res = await fetch(url, { headers: { Accept: accept, Authorization: `Bearer ${token}` } });
          return { status: res.status, bytes: (await res.arrayBuffer()).byteLength };
        },
        { url, accept: LATENCY_ACCEPT, token: `tab-${i}` },
      ),
    ),
  );
  const spentMs = Date.now() - t0;
  for (const a of answers) if (a.status !== 200 || a.bytes !== m.body.length) throw new Error(`shared pull: ${a.status}, ${a.bytes} bytes`);
  const entries = proxy.log.filter((e) => e.path.includes('/manifests/'));
  for (const page of pages) await page.close();
  return {
    requests: TABS,
    gets: entries.filter((e) => e.method === 'GET').length,
    heads: entries.filter((e) => e.method === 'HEAD').length,
    unchangedTagGets: 0,
    pings: 0,
    preflights: proxy.log.filter((e) => e.method === 'OPTIONS').length,
    staleAnswers: 0,
    movedTagRequests: 0,
    spentMs,
  };
}

// ---- the run ----

function chromiumVersion(): string {
  try {
    return execFileSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function targets(r: Omit<Results, 'targets'>): TargetResult[] {
  const p50 = (id: string, col: Column) => r.latency[id]?.[col]?.p50 ?? NaN;
  const load = (id: string, col: Column) => r.latency[id]?.[col]?.load.p50 ?? NaN;
  const out: TargetResult[] = [];
  const target = (name: string, value: number, limit: number) => out.push({ target: name, value, limit, met: value <= limit });
  const at = (col: Column) => `upstream ${col === 'delay' ? `+${DELAY_MS}` : '+0'} ms`;
  // The re-checked tag: the page's own fetch across a network, and a bare relay on loopback.
  for (const [suffix, accept] of [
    ['', 'simple `Accept`'],
    ['-pf', 'preflighted `Accept`'],
  ] as const) {
    target(
      `re-checked tag p50 ≤ 1.00 × no cache by tag (${at('delay')}, ${accept})`,
      p50(`regcache-tag-head${suffix}`, 'delay') / p50(`nocache-tag${suffix}`, 'delay'),
      1,
    );
    target(
      `re-checked tag p50 ≤ 1.10 × relay (${at('direct')}, ${accept})`,
      p50(`regcache-tag-head${suffix}`, 'direct') / p50(`relay${suffix}`, 'direct'),
      1.1,
    );
  }
  for (const col of COLUMNS)
    target(`warm hit by digest p50 ≤ 1.05 × floor (${at(col)})`, p50('regcache-digest', col) / p50('floor', col), 1.05);
  target(
    'hit after a worker stop p50 ≤ 1.10 × floor after a worker stop',
    p50('regcache-stopped', 'delay') / p50('floor-stopped', 'delay'),
    1.1,
  );
  target(
    `first read of a stored record, worker warm, p50 ≤ 1.30 × floor (${at('delay')})`,
    p50('regcache-first-read', 'delay') / p50('floor', 'delay'),
    1.3,
  );
  for (const col of COLUMNS) {
    target(`warm hit by digest p50 ≤ Workbox CacheFirst p50 (${at(col)})`, p50('regcache-digest', col) / p50('workbox', col), 1);
  }
  for (const col of COLUMNS) {
    target(`${LOAD_REQUESTS} concurrent hits by digest ≤ 1.2 × floor (${at(col)})`, load('regcache-digest', col) / load('floor', col), 1.2);
  }
  const big = median(r.sweep['100k']?.ms ?? []);
  const small = median(r.sweep['1k-all']?.ms ?? []);
  target('sweep of 1,000 expired records: 100,000 stored ≤ 2 × 1,000 stored', big / small, 2);
  for (const col of COLUMNS) {
    target(
      `hit by tag within swr p50 ≤ 1.10 × floor (upstream ${col === 'delay' ? `+${DELAY_MS}` : '+0'} ms)`,
      p50('regcache-tag-swr', col) / p50('floor', col),
      1.1,
    );
  }
  for (const id of ['regcache-fresh0', 'regcache-fresh60', 'regcache-swr']) {
    target(`zero upstream GETs for unchanged tags (${id})`, r.economy[id]?.unchangedTagGets ?? NaN, 0);
  }
  // swr moves the re-check behind the answer; it must neither add nor save any. Within 5%:
  // on a loaded machine, a HEAD still queued in the browser when `timeout` ends is never
  // sent, in either run.
  const heads = (id: string) => r.economy[id]?.heads ?? NaN;
  target(
    'upstream HEADs with swr ÷ with fresh=0, off by at most 5%',
    1 + Math.abs(heads('regcache-swr') / heads('regcache-fresh0') - 1),
    1.05,
  );
  target('5 tabs, a token each, one cold digest: upstream GETs', r.economy['regcache-5-tokens']?.gets ?? NaN, 1);
  return out;
}

/**
 * Runs everything; whatever it starts is pushed on `stops`, which the caller empties with
 * tearDown() even when the run is cut short (a Playwright timeout abandons this promise).
 */
export async function runBench(stops: Env['stops']): Promise<Results> {
  const started = Date.now();
  const loadStart = loadavg().map((l) => Math.round(l * 100) / 100);
  // Seconds each phase took, for the time budget.
  const phases: Record<string, number> = {};
  let mark = Date.now();
  const phase = (name: string) => {
    phases[name] = Math.round((Date.now() - mark) / 1000);
    mark = Date.now();
  };
  const env = await setUp(stops);
  log('set up: registry, proxies, distribution, Chromium');
  const scenarios = await openScenarios(env);
  const aboutPage = scenarios[0]?.page ?? (await openPage(env.context, await newOrigin(env), null));
  const about = await aboutPage.evaluate(inPage.isolation);
  if (!about.crossOriginIsolated) log('warning: pages are not cross-origin isolated; performance.now() is coarse');

  phase('setup');
  const latencyRaw = await measureLatency(scenarios);
  phase('latency');
  const loadRaw = await measureLoad(scenarios);
  phase('load');
  for (const s of scenarios) {
    await s.control?.detach();
    await s.page.close();
  }
  let storage: Results['storage'] = {};
  let sweep: Results['sweep'] = {};
  let economy: Results['economy'] = {};
  if (ONLY) {
    log(
      `BENCH_ONLY: ${LATENCY_SCENARIOS.map((d) => d.id).join(', ') || 'no latency'}; ${ONLY_LATENCY ? 'upstream economy' : 'no economy'}; ${ONLY_SWEEP ? 'sweeps' : 'no sweeps'}; no storage`,
    );
    if (ONLY_LATENCY) {
      economy = await measureEconomy(env);
      economy['regcache-5-tokens'] = await measureSharedPull(env);
      phase('economy');
    }
    if (ONLY_SWEEP) {
      sweep = await measureSweeps(env, await prepareSweeps(env));
      phase('sweeps');
    }
  } else {
    log('storage');
    storage = await measureStorage(env);
    phase('storage');
    log('upstream economy, while the sweep databases are seeded');
    const seeding = prepareSweeps(env);
    // If the economy fails, the seeding must not be left running unobserved.
    seeding.catch(() => undefined);
    economy = await measureEconomy(env);
    economy['regcache-5-tokens'] = await measureSharedPull(env);
    phase('economy');
    const cases = await seeding;
    phase('seeding, after economy');
    log('sweeps');
    sweep = await measureSweeps(env, cases);
    phase('sweeps');
  }

  const latency: Results['latency'] = {};
  const problems: string[] = [];
  for (const def of LATENCY_SCENARIOS) {
    latency[def.id] = {};
    for (const col of columnsOf(def)) {
      const raw = latencyRaw[def.id]![col];
      const load = loadRaw[def.id]![col];
      latency[def.id]![col] = {
        ...summarize(raw.times),
        answers: raw.answers,
        spentSeconds: Math.round(raw.spentMs / 1000),
        load: summarize(load.totals),
        loadAnswers: load.answers,
      };
      for (const e of [...raw.errors, ...load.errors]) problems.push(`${def.id} (${col}): ${e}`);
      if (def.expect) {
        for (const [answer, n] of Object.entries(raw.answers)) {
          if (!def.expect.test(answer)) problems.push(`${def.id} (${col}): ${n} answers were "${answer}"`);
        }
      }
    }
  }
  for (const [id, s] of Object.entries(sweep)) {
    const want = s.expired;
    if (s.deleted.some((d) => d !== want)) problems.push(`sweep ${id}: deleted ${s.deleted.join(', ')}, expected ${want} each`);
  }

  const partial = {
    meta: {
      date: new Date().toISOString(),
      chromium: chromiumVersion(),
      userAgent: about.userAgent,
      cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
      node: process.version,
      // Other work on the machine: the ratios are measured side by side, the times are not.
      loadAverage: { start: loadStart, end: loadavg().map((l) => Math.round(l * 100) / 100) },
      crossOriginIsolated: about.crossOriginIsolated,
      delayMs: DELAY_MS,
      samples: SAMPLES,
      loadRequests: LOAD_REQUESTS,
      loadRepetitions: LOAD_REPS,
      sweepTrials: SWEEP_TRIALS,
      manifestSizes: env.latencySet.map((m) => ({ tag: m.tag, mediaType: m.mediaType, bytes: m.body.length })),
      seconds: 0,
      phases,
    },
    labels: Object.fromEntries(LATENCY_SCENARIOS.map((s) => [s.id, s.label])),
    latency,
    sweep,
    storage,
    economy,
    problems,
  };
  const results: Results = { ...partial, targets: targets(partial) };
  results.meta.seconds = Math.round((Date.now() - started) / 1000);
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(RESULTS_PATH, `${JSON.stringify(results, null, 2)}\n`);
  const markdown = renderMarkdown(results);
  process.stdout.write(`\n${markdown}\n`);
  if (process.env.BENCH_DOCS) updateDocs(markdown);
  return results;
}

// BENCH_DOCS=1 puts this run's tables in docs/performance.md, between its bench markers.
function updateDocs(markdown: string): void {
  const changed = replaceSection(join(ROOT, 'docs', 'performance.md'), '<!-- bench:start -->', '<!-- bench:end -->', markdown);
  log(`docs/performance.md ${changed ? 'updated' : 'already up to date'}`);
}
