// `npm run bench:profile`: where regcache's time goes on a hit, measured rather than guessed.
//  1. p50 side by side: the floor, regcache as built now, regcache with timers (to show
//     what they cost), and regcache as it was before its in-memory copy of records (built
//     from git: the parent of the commit that added src/sw/memory.ts (now src/sw/storage/memory.ts), or BENCH_BASELINE),
//     which read IndexedDB on every hit; warm, and after a worker stop.
//  2. Phases of a warm hit and of a hit after a stop, from timers wrapped around regcache's
//     own methods (workers/probe-timers.ts), on the clock the page uses too.
//  3. A Chromium trace with V8's sampling profiler: self time per function on the service
//     worker threads, and the IndexedDB and ServiceWorker trace events.
// Writes .results/profile.json (git-ignored) and prints markdown.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { ACCEPT_ALL } from '../test/servers/images.js';
import { startRegistry } from '../test/servers/registry.js';
import { buildWorker } from './build.js';
import { pushBlobs, pushLatencySet } from './images.js';
import type { Probe, ProbeReport } from './page-side.js';
import * as inPage from './page-side.js';
import {
  BENCH_DIR,
  BLOCK,
  delayed,
  type Env,
  floorData,
  LATENCY_ACCEPT,
  launchOnDisk,
  log,
  manifestUrl,
  openPage,
  REPO,
  RESULTS_DIR,
  regcacheScript,
  rotate,
  scenarioOrigin,
  seedPairs,
} from './run.js';
import { median, ms, ratio, type Summary, summarize } from './stats.js';
import { type CpuSummary, cpuProfile, type EventCost, sourceOfLine, startTrace, stopTrace, traceEvents } from './trace.js';
import { WorkerControl } from './worker-control.js';

const WARM_SAMPLES = Number(process.env.BENCH_SAMPLES ?? 500);
const STOPPED_SAMPLES = Number(process.env.BENCH_STOPPED_SAMPLES ?? 200);
const BREAKDOWN_SAMPLES = 300;
const HEAD_SAMPLES = 200;
const STOPPED_BREAKDOWN_SAMPLES = 100;
const TRACE_WARM = 500;
const TRACE_STOPPED = 40;
// The sweep target's two cases: the same expired records, with 100,000 or 1,000 stored.
const SWEEP_PROFILE = [
  { id: '100k', stored: 100_000, expired: 1_000 },
  { id: '1k', stored: 1_000, expired: 1_000 },
];
const SWEEP_PROFILE_TRIALS = 3;
// BENCH_PROFILE_SWEEP=0 leaves the sweeps out (seeding 100,000 records takes minutes).
const PROFILE_SWEEPS = process.env.BENCH_PROFILE_SWEEP !== '0';
export const PROFILE_PATH = join(RESULTS_DIR, 'profile.json');

interface Row {
  id: string;
  label: string;
  script: string;
  stop?: boolean;
  /** By tag (inside `fresh`) rather than by digest. */
  byTag?: boolean;
}

const ROOT = join(BENCH_DIR, '..');

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

// regcache's source at an older commit, unpacked under node_modules/.cache so that its
// imports resolve to this checkout's packages. Returns the ready-made worker's entry.
async function baselineEntry(): Promise<{ ref: string; entry: string } | null> {
  try {
    const added = git('log', '--diff-filter=A', '--format=%H', '--', 'src/sw/memory.ts').split('\n').at(-1);
    const ref = git('rev-parse', '--short', process.env.BENCH_BASELINE ?? `${added}^`);
    const dir = join(ROOT, 'node_modules', '.cache', 'regcache-bench', ref);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${ref} src | tar -x -C "${dir}"`], { cwd: ROOT });
    // The ready-made worker moved from src/sw/index.ts to src/sw/worker.ts.
    const entry = [join(dir, 'src/sw/worker.ts'), join(dir, 'src/sw/index.ts')].find((f) => existsSync(f));
    return entry ? { ref, entry } : null;
  } catch (error) {
    log('profile: no baseline build:', error);
    return null;
  }
}

export async function runProfile(stops: Env['stops']): Promise<void> {
  const started = Date.now();
  const tmp = await mkdtemp(join(tmpdir(), 'regcache-profile-'));
  stops.push(() => rm(tmp, { recursive: true, force: true }));
  const registry = await startRegistry({ corsOrigins: ['*'] });
  stops.push(() => registry.stop());
  const set = await pushLatencySet(registry.url, REPO, await pushBlobs(registry.url, REPO));
  // No delay: a hit never reaches upstream, and the warm-up is quicker.
  const upstream = await delayed(registry.url, 0);
  stops.push(() => upstream.stop());

  const buildDir = join(tmp, 'build');
  await buildWorker(buildDir, 'floor-sw.js', 'workers/floor.ts', {
    FLOOR_DATA: JSON.stringify(await floorData(registry.url, [upstream.url], set)),
  });
  await buildWorker(buildDir, 'regcache-probe-sw.js', 'workers/regcache-probe.ts', {}, { sideEffects: true });
  const baseline = await baselineEntry();
  if (baseline) await buildWorker(buildDir, 'regcache-baseline-sw.js', baseline.entry);
  // Function and module names for the CPU profile.
  await buildWorker(buildDir, 'regcache-named-sw.js', '../src/sw/worker.ts', {}, { minify: false, sourcemap: true });
  const moduleOfLine = sourceOfLine(
    JSON.parse(await readFile(join(buildDir, 'regcache-named-sw.js.map'), 'utf8')) as { sources: string[]; mappings: string },
  );

  const context = await launchOnDisk(join(tmp, 'profile'), stops);
  const probes: Probe[] = set.map((m) => ({ url: manifestUrl(upstream.url, m, 'digest'), size: m.body.length }));
  const tagProbes: Probe[] = set.map((m) => ({ url: manifestUrl(upstream.url, m, 'tag'), size: m.body.length }));
  const params = [upstream.url];

  const rows: Row[] = [
    { id: 'floor', label: 'floor', script: '/floor-sw.js' },
    { id: 'regcache', label: 'regcache as shipped (dist/regcache-sw.js)', script: regcacheScript(params) },
    {
      id: 'regcache-tag',
      label: 'regcache as shipped, hit by tag inside `fresh`',
      script: regcacheScript(params, { fresh: 3600 }),
      byTag: true,
    },
    { id: 'probe', label: 'regcache with the timers', script: regcacheScript(params, {}, '/regcache-probe-sw.js') },
    { id: 'floor-stopped', label: 'floor after a stop', script: '/floor-sw.js', stop: true },
    { id: 'regcache-stopped', label: 'regcache after a stop', script: regcacheScript(params), stop: true },
  ];
  if (baseline) {
    const script = regcacheScript(params, {}, '/regcache-baseline-sw.js');
    rows.splice(3, 0, { id: 'baseline', label: `regcache at ${baseline.ref}, before its in-memory copy`, script });
    rows.push({ id: 'baseline-stopped', label: `regcache at ${baseline.ref} after a stop`, script, stop: true });
  }
  const opened: Array<Row & { page: Page; control?: WorkerControl }> = [];
  const probesOf = (row: Row) => (row.byTag ? tagProbes : probes);
  for (const row of rows) {
    const page = await openPage(context, await scenarioOrigin(buildDir, stops), row.script);
    // Stores the manifests, then warms the JITs.
    await page.evaluate(inPage.sequential, { probes: probesOf(row), accept: LATENCY_ACCEPT, start: 0, count: probes.length * 4 });
    const control = row.stop ? await WorkerControl.attach(page) : undefined;
    opened.push({ ...row, page, ...(control ? { control } : {}) });
  }

  // 1. Side by side, round-robin.
  log('profile: side by side');
  const times = new Map<string, number[]>(rows.map((r) => [r.id, []]));
  const rounds = Math.ceil(WARM_SAMPLES / BLOCK);
  const stoppedEvery = Math.max(1, Math.round(rounds / Math.ceil(STOPPED_SAMPLES / BLOCK)));
  for (let round = 0; round < rounds; round++) {
    for (const row of rotate(opened, round)) {
      const args = { probes: probesOf(row), accept: LATENCY_ACCEPT, start: round * BLOCK, count: BLOCK };
      if (row.control) {
        if (round % stoppedEvery !== 0) continue;
        for (let i = 0; i < BLOCK; i++) {
          await row.control.stop();
          times.get(row.id)!.push(...(await row.page.evaluate(inPage.sequential, { ...args, start: args.start + i, count: 1 })).times);
        }
      } else {
        times.get(row.id)!.push(...(await row.page.evaluate(inPage.sequential, args)).times);
      }
    }
  }
  const sideBySide: Record<string, Summary & { label: string }> = {};
  for (const row of rows) sideBySide[row.id] = { label: row.label, ...summarize(times.get(row.id)!) };

  // 2a. Phases of a warm hit.
  log('profile: phases of a warm hit');
  const probe = opened.find((r) => r.id === 'probe')!;
  await probe.page.evaluate(inPage.takeProbe);
  const warmRun = await probe.page.evaluate(inPage.sequential, { probes, accept: LATENCY_ACCEPT, start: 0, count: BREAKDOWN_SAMPLES });
  const warmSpans = (await probe.page.evaluate(inPage.takeProbe)).spans;
  const spanMs = (name: string) => warmSpans.filter((s) => s.name === name).map((s) => s.end - s.start);
  const background = ['store.touch', 'store.updateMeta'].map((name) => ({
    name,
    count: spanMs(name).length,
    medianMs: median(spanMs(name)),
  }));
  const warmPhases = {
    requests: BREAKDOWN_SAMPLES,
    pageP50: median(warmRun.times),
    handle: median(spanMs('handle')),
    getManifest: median(spanMs('store.getManifest')),
    handleWithoutRead: median(
      warmSpans
        .filter((s) => s.name === 'handle')
        .map((h) => {
          const read = warmSpans.find((s) => s.name === 'store.getManifest' && s.start >= h.start && s.end <= h.end);
          return h.end - h.start - (read ? read.end - read.start : 0);
        }),
    ),
    background,
  };

  // 2b. Phases of a hit by tag re-checked with HEAD (fresh=0), on the probed build.
  log('profile: phases of a re-checked tag');
  const headPage = await openPage(
    context,
    await scenarioOrigin(buildDir, stops),
    regcacheScript(params, { fresh: 0 }, '/regcache-probe-sw.js'),
  );
  await headPage.evaluate(inPage.sequential, { probes: tagProbes, accept: LATENCY_ACCEPT, start: 0, count: tagProbes.length * 2 });
  await headPage.evaluate(inPage.takeProbe);
  const headRun = await headPage.evaluate(inPage.sequential, { probes: tagProbes, accept: LATENCY_ACCEPT, start: 0, count: HEAD_SAMPLES });
  const headSpans = (await headPage.evaluate(inPage.takeProbe)).spans;
  const headMs = (name: string) => median(headSpans.filter((s) => s.name === name).map((s) => s.end - s.start));
  upstream.reset();
  await headPage.evaluate(inPage.sequential, { probes: tagProbes, accept: LATENCY_ACCEPT, start: 0, count: 20 });
  const perRequest = { upstream: upstream.log.length / 20, preflights: upstream.log.filter((e) => e.method === 'OPTIONS').length / 20 };
  // The same with the usual four-type Accept, which is preflighted: does the worker reuse
  // Chromium's preflight cache?
  await headPage.evaluate(inPage.sequential, { probes: tagProbes, accept: ACCEPT_ALL, start: 0, count: tagProbes.length });
  upstream.reset();
  await headPage.evaluate(inPage.sequential, { probes: tagProbes, accept: ACCEPT_ALL, start: 0, count: 20 });
  const headPhases = {
    requests: HEAD_SAMPLES,
    pageP50: median(headRun.times),
    handle: headMs('handle'),
    recheck: headMs('strategy.recheck'),
    confirm: headMs('store.extendRemembered'),
    // Upstream requests per page request, preflights included.
    upstreamPerRequest: perRequest.upstream,
    preflightsPerRequest: perRequest.preflights,
    preflightsPerRequestFullAccept: upstream.log.filter((e) => e.method === 'OPTIONS').length / 20,
  };
  const commits: Record<string, number> = {};
  for (const durability of ['default', 'relaxed', 'strict'] as const) {
    commits[durability] = median(await headPage.evaluate(inPage.commitCost, { durability, count: 50 }));
  }

  // 2c. Phases of a hit after a stop, on the probed build.
  log('profile: phases of a hit after a stop');
  const probeStopped = await openPage(context, await scenarioOrigin(buildDir, stops), rows.find((r) => r.id === 'probe')!.script);
  await probeStopped.evaluate(inPage.sequential, { probes, accept: LATENCY_ACCEPT, start: 0, count: probes.length * 2 });
  const control = await WorkerControl.attach(probeStopped);
  const samples: Array<Record<string, number>> = [];
  for (let i = 0; i < STOPPED_BREAKDOWN_SAMPLES; i++) {
    await control.stop();
    const r = await probeStopped.evaluate(inPage.probedFetch, { probe: probes[i % probes.length]!, accept: LATENCY_ACCEPT });
    const sample = stoppedPhases(r.t0, r.t1, r.report);
    if (sample) samples.push(sample);
  }
  await control.detach();
  const stoppedBreakdown: Record<string, number> = {};
  for (const key of Object.keys(samples[0] ?? {}))
    stoppedBreakdown[key] = median(samples.map((s) => s[key]!).filter((v) => Number.isFinite(v)));

  // 3. A trace with the CPU profiler, on an unminified build, and on the floor the same way.
  log('profile: traces');
  // fresh=3600: its tag hits are answered from the store, as the digest hits are.
  const named = await openPage(
    context,
    await scenarioOrigin(buildDir, stops),
    regcacheScript(params, { fresh: 3600 }, '/regcache-named-sw.js'),
  );
  await named.evaluate(inPage.sequential, { probes, accept: LATENCY_ACCEPT, start: 0, count: probes.length * 4 });
  await named.evaluate(inPage.sequential, { probes: tagProbes, accept: LATENCY_ACCEPT, start: 0, count: probes.length * 4 });
  // Only the unminified build has a source map; other scripts are named by their file.
  const moduleOf = (url: string, line: number) =>
    url.includes('/regcache-named-sw.js') ? moduleOfLine(line) : new URL(url).pathname.slice(1);
  const floorPage = opened.find((r) => r.id === 'floor')!.page;
  const traced = async (page: Page, stopFirst: boolean, count: number, traceProbes = probes) => {
    const control = stopFirst ? await WorkerControl.attach(page) : undefined;
    const cdp = await context.newCDPSession(page);
    await startTrace(cdp);
    if (control) {
      for (let i = 0; i < count; i++) {
        await control.stop();
        await page.evaluate(inPage.sequential, { probes: traceProbes, accept: LATENCY_ACCEPT, start: i, count: 1 });
      }
    } else {
      await page.evaluate(inPage.sequential, { probes: traceProbes, accept: LATENCY_ACCEPT, start: 0, count });
    }
    const events = await stopTrace(cdp);
    await cdp.detach();
    await control?.detach();
    return { requests: count, cpu: cpuProfile(events, /ServiceWorker/i, moduleOf), events: traceEvents(events, /IndexedDB|ServiceWorker/) };
  };
  const warmTrace = await traced(named, false, TRACE_WARM);
  const warmTraceTag = await traced(named, false, TRACE_WARM, tagProbes);
  const warmTraceFloor = await traced(floorPage, false, TRACE_WARM);
  const stoppedTrace = await traced(named, true, TRACE_STOPPED);
  const stoppedTraceFloor = await traced(floorPage, true, TRACE_STOPPED);

  // 4. The sweep, traced, with 100,000 and with 1,000 records stored.
  log('profile: sweeps');
  const sweepPages = [];
  for (const c of PROFILE_SWEEPS ? SWEEP_PROFILE : []) {
    const page = await openPage(context, await scenarioOrigin(buildDir, stops), regcacheScript(params, {}, '/regcache-named-sw.js'));
    await page.evaluate(inPage.wake);
    await seedPairs(page, upstream.url, (c.stored - c.expired) / 2, false);
    sweepPages.push({ ...c, page });
  }
  const sweeps: Record<string, { ms: number[]; visited: number; trace?: TraceSummary }> = {};
  for (let trial = 0; trial < SWEEP_PROFILE_TRIALS; trial++) {
    for (const c of rotate(sweepPages, trial)) {
      const record = sweeps[c.id] ?? { ms: [], visited: 0 };
      sweeps[c.id] = record;
      await c.page.evaluate(inPage.wake);
      await seedPairs(c.page, upstream.url, c.expired / 2, true);
      // The last trial is traced; the others are not slowed by tracing.
      const cdp = trial === SWEEP_PROFILE_TRIALS - 1 ? await context.newCDPSession(c.page) : undefined;
      if (cdp) await startTrace(cdp);
      const r = await c.page.evaluate(inPage.sweep);
      record.ms.push(r.ms);
      record.visited = r.visited;
      if (cdp) {
        const events = await stopTrace(cdp);
        await cdp.detach();
        record.trace = {
          requests: r.visited,
          cpu: cpuProfile(events, /ServiceWorker/i, moduleOf),
          events: traceEvents(events, /IndexedDB/, 30),
        };
      }
    }
  }

  const results = {
    meta: {
      date: new Date().toISOString(),
      seconds: Math.round((Date.now() - started) / 1000),
      loadAverage: loadavg(),
      baseline: baseline?.ref ?? null,
    },
    sideBySide,
    warmPhases,
    headPhases,
    commits,
    stoppedPhases: { requests: samples.length, ...stoppedBreakdown },
    warmTrace,
    warmTraceTag,
    warmTraceFloor,
    stoppedTrace,
    stoppedTraceFloor,
    sweeps,
  };
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(PROFILE_PATH, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${renderProfile(results)}\n`);
}

// A hit after a stop, cut where the timers and the page's clock say it went.
function stoppedPhases(t0: number, t1: number, report: ProbeReport): Record<string, number> | null {
  const first = (name: string) => report.spans.filter((s) => s.name === name).sort((a, b) => a.start - b.start)[0];
  const handle = first('handle');
  if (!handle) return null;
  const read = report.spans.find((s) => s.name === 'store.getManifest' && s.start >= handle.start);
  const sweep = first('store.sweep');
  const open = first('store.open');
  return {
    total: t1 - t0,
    // Until the worker's global scope exists: the browser starting the worker.
    untilTimeOrigin: report.timeOrigin - t0,
    // Loading, compiling and running the bundle up to the probe's first line.
    untilScript: report.scriptStart - report.timeOrigin,
    // The rest of the script, then the fetch event reaching regcache's handler.
    untilHandle: handle.start - report.scriptStart,
    handle: handle.end - handle.start,
    openDb: open ? open.end - open.start : NaN,
    getManifest: read ? read.end - read.start : NaN,
    sweep: sweep ? sweep.end - sweep.start : NaN,
    // How much of the read overlapped the start-up sweep.
    readInsideSweep: read && sweep ? Math.max(0, Math.min(read.end, sweep.end) - read.start) : NaN,
    afterHandle: t1 - handle.end,
  };
}

interface ProfileResults {
  meta: { seconds: number; loadAverage: number[] };
  sideBySide: Record<string, Summary & { label: string }>;
  warmPhases: {
    requests: number;
    pageP50: number;
    handle: number;
    getManifest: number;
    handleWithoutRead: number;
    background: Array<{ name: string; count: number; medianMs: number }>;
  };
  headPhases: {
    requests: number;
    pageP50: number;
    handle: number;
    recheck: number;
    confirm: number;
    upstreamPerRequest: number;
    preflightsPerRequest: number;
    preflightsPerRequestFullAccept: number;
  };
  commits: Record<string, number>;
  stoppedPhases: Record<string, number>;
  warmTrace: TraceSummary;
  warmTraceTag: TraceSummary;
  warmTraceFloor: TraceSummary;
  stoppedTrace: TraceSummary;
  stoppedTraceFloor: TraceSummary;
  sweeps: Record<string, { ms: number[]; visited: number; trace?: TraceSummary }>;
}

interface TraceSummary {
  requests: number;
  cpu: CpuSummary;
  events: EventCost[];
}

function cpuTable(cpu: CpuSummary, requests: number): string[] {
  const lines = [
    `Service worker threads busy ${ms(cpu.busyMs)} ms for ${requests} requests (${ms(cpu.busyMs / requests)} ms each); by module: ` +
      Object.entries(cpu.byOrigin)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${ms(v)} ms`)
        .join(', '),
    '',
    '| function (module) | self ms | share of busy |',
    '|---|---:|---:|',
  ];
  for (const f of cpu.top.slice(0, 15)) lines.push(`| \`${f.function}\` | ${ms(f.selfMs)} | ${(f.share * 100).toFixed(1)}% |`);
  return lines;
}

function eventTable(events: EventCost[]): string[] {
  const lines = ['| trace event | count | mean | total |', '|---|---:|---:|---:|'];
  for (const e of events.slice(0, 12)) lines.push(`| \`${e.name}\` | ${e.count} | ${ms(e.meanMs)} ms | ${ms(e.totalMs)} ms |`);
  return lines;
}

export function renderProfile(r: ProfileResults): string {
  const floor = r.sideBySide.floor!;
  const floorStopped = r.sideBySide['floor-stopped']!;
  const w = r.warmPhases;
  const s = r.stoppedPhases;
  return [
    `Profile, ${r.meta.seconds} s, load average ${r.meta.loadAverage.map((l) => l.toFixed(1)).join(' ')}.`,
    '',
    '| scenario | n | p50 | p90 | ÷ floor (same start) |',
    '|---|---:|---:|---:|---:|',
    ...Object.entries(r.sideBySide).map(
      ([id, row]) =>
        `| ${row.label} | ${row.n} | ${ms(row.p50)} ms | ${ms(row.p90)} ms | ${ratio(row.p50, id.endsWith('stopped') ? floorStopped.p50 : floor.p50)} |`,
    ),
    '',
    `Warm hit by digest, medians over ${w.requests} requests on the timed build: page sees ${ms(w.pageP50)} ms; ` +
      `regcache's handler takes ${ms(w.handle)} ms, of which \`ManifestStore.getManifest\` (one IndexedDB read) ${ms(w.getManifest)} ms ` +
      `and everything else ${ms(w.handleWithoutRead)} ms. Batched writes meanwhile: ` +
      w.background.map((b) => `${b.name} ×${b.count} (median ${ms(b.medianMs)} ms)`).join(', ') +
      '.',
    '',
    `Hit by tag re-checked with HEAD (\`fresh=0\`, upstream +0 ms), medians over ${r.headPhases.requests} requests: page sees ${ms(r.headPhases.pageP50)} ms; ` +
      `the handler ${ms(r.headPhases.handle)} ms, of which the re-check upstream ${ms(r.headPhases.recheck)} ms ` +
      `(${r.headPhases.upstreamPerRequest} upstream requests per page request, ${r.headPhases.preflightsPerRequest} of them CORS preflights; ` +
      `with the four-type Accept, ${r.headPhases.preflightsPerRequestFullAccept} preflights per page request) ` +
      `and \`ManifestStore.extendRemembered\` (the longer life, in memory; IndexedDB gets it after the answer) ${ms(r.headPhases.confirm)} ms. One small read-write IndexedDB commit here: ` +
      Object.entries(r.commits)
        .map(([d, v]) => `${d} ${ms(v)} ms`)
        .join(', ') +
      '.',
    '',
    `Hit after a worker stop, medians over ${s.requests} requests: total ${ms(s.total ?? NaN)} ms = ` +
      `worker start until its time origin ${ms(s.untilTimeOrigin ?? NaN)} ms, bundle load and run until the probe ${ms(s.untilScript ?? NaN)} ms, ` +
      `rest of the script and fetch dispatch ${ms(s.untilHandle ?? NaN)} ms, handler ${ms(s.handle ?? NaN)} ms ` +
      `(IndexedDB open ${ms(s.openDb ?? NaN)} ms, \`getManifest\` ${ms(s.getManifest ?? NaN)} ms, of which inside the start-up sweep ${ms(s.readInsideSweep ?? NaN)} ms; ` +
      `the sweep itself ${ms(s.sweep ?? NaN)} ms), then delivery to the page ${ms(s.afterHandle ?? NaN)} ms.`,
    '',
    `CPU profile, ${r.warmTrace.requests} warm hits (unminified build); the floor the same way: ` +
      `${ms(r.warmTraceFloor.cpu.busyMs / r.warmTraceFloor.requests)} ms busy per request.`,
    '',
    ...cpuTable(r.warmTrace.cpu, r.warmTrace.requests),
    '',
    ...eventTable(r.warmTrace.events),
    '',
    `The same build, ${r.warmTraceTag.requests} warm hits by tag inside \`fresh\`:`,
    '',
    ...cpuTable(r.warmTraceTag.cpu, r.warmTraceTag.requests),
    '',
    ...eventTable(r.warmTraceTag.events),
    '',
    'The floor, warm:',
    '',
    ...cpuTable(r.warmTraceFloor.cpu, r.warmTraceFloor.requests),
    '',
    ...eventTable(r.warmTraceFloor.events),
    '',
    `CPU profile, ${r.stoppedTrace.requests} hits each after a worker stop; the floor the same way: ` +
      `${ms(r.stoppedTraceFloor.cpu.busyMs / r.stoppedTraceFloor.requests)} ms busy per request.`,
    '',
    ...cpuTable(r.stoppedTrace.cpu, r.stoppedTrace.requests),
    '',
    ...eventTable(r.stoppedTrace.events),
    '',
    'The floor after a stop:',
    '',
    ...cpuTable(r.stoppedTraceFloor.cpu, r.stoppedTraceFloor.requests),
    '',
    ...eventTable(r.stoppedTraceFloor.events),
    '',
    'Sweeps of the same 1,000 expired records (500 manifests, each with a tag): ' +
      Object.entries(r.sweeps)
        .map(([id, s]) => `${id} stored: ${s.ms.map((v) => ms(v)).join(', ')} ms`)
        .join('; ') +
      '. The last of each, traced:',
    ...Object.entries(r.sweeps).flatMap(([id, s]) =>
      s.trace ? ['', `${id} stored:`, '', ...cpuTable(s.trace.cpu, s.trace.requests).slice(0, 1), '', ...eventTable(s.trace.events)] : [],
    ),
  ].join('\n');
}
