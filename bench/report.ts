import type { Column, EconomyRecord, StorageRecord, SweepRecord } from './run.js';
// The results file's shape, and the markdown printed after a run (and put in docs/performance.md).
import { bytes, median, ms, ratio, type Summary } from './stats.js';

export interface LatencyResult extends Summary {
  answers: Record<string, number>;
  /** Wall time the scenario took in the latency phase, for the time budget. */
  spentSeconds: number;
  /** Total time of each batch of concurrent requests. */
  load: Summary;
  loadAnswers: Record<string, number>;
}

export interface TargetResult {
  target: string;
  value: number;
  limit: number;
  met: boolean;
}

export interface Results {
  meta: {
    date: string;
    chromium: string;
    userAgent: string;
    cpu: string;
    node: string;
    /** 1, 5 and 15 minute load averages when the run started and ended. */
    loadAverage: { start: number[]; end: number[] };
    crossOriginIsolated: boolean;
    delayMs: number;
    samples: number;
    loadRequests: number;
    loadRepetitions: number;
    sweepTrials: number;
    manifestSizes: Array<{ tag: string; mediaType: string; bytes: number }>;
    seconds: number;
    phases: Record<string, number>;
  };
  labels: Record<string, string>;
  /** Rows measured after a worker stop have the first column only. */
  latency: Record<string, Partial<Record<Column, LatencyResult>>>;
  sweep: Record<string, SweepRecord>;
  storage: Record<string, StorageRecord>;
  economy: Record<string, EconomyRecord>;
  targets: TargetResult[];
  problems: string[];
}

// Rows after a worker stop, and the restarted floor each is compared with.
const STOPPED: Record<string, string> = { 'regcache-stopped': 'floor-stopped', 'floor-stopped': 'floor-stopped' };

function latencyTable(r: Results): string[] {
  const head = [
    'scenario',
    `p50, +${r.meta.delayMs} ms`,
    'p90',
    '÷ floor',
    `${r.meta.loadRequests} at once`,
    '÷ floor',
    'p50, +0 ms',
    'p90',
    '÷ floor',
    `${r.meta.loadRequests} at once`,
    '÷ floor',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const [id, label] of Object.entries(r.labels)) {
    if (STOPPED[id]) continue;
    const cells = [label];
    for (const col of ['delay', 'direct'] as const) {
      const row = r.latency[id]?.[col];
      const floor = r.latency.floor?.[col];
      if (!row || !floor) {
        cells.push('—', '—', '—', '—', '—');
        continue;
      }
      cells.push(
        `${ms(row.p50)} ms`,
        `${ms(row.p90)} ms`,
        ratio(row.p50, floor.p50),
        `${ms(row.load.p50)} ms`,
        ratio(row.load.p50, floor.load.p50),
      );
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

function stoppedTable(r: Results): string[] {
  const head = ['scenario', 'p50', 'p90', '÷ floor after a stop', '÷ warm floor', `${r.meta.loadRequests} at once`, '÷ floor after a stop'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  const warm = r.latency.floor?.delay;
  for (const [id, label] of Object.entries(r.labels)) {
    const like = STOPPED[id] ? r.latency[STOPPED[id]]?.delay : undefined;
    const row = r.latency[id]?.delay;
    if (!like || !row || !warm) continue;
    lines.push(
      `| ${label} | ${ms(row.p50)} ms | ${ms(row.p90)} ms | ${ratio(row.p50, like.p50)} | ${ratio(row.p50, warm.p50)} | ${ms(row.load.p50)} ms | ${ratio(row.load.p50, like.load.p50)} |`,
    );
  }
  return lines;
}

function sweepTable(r: Results): string[] {
  const lines = [
    '| stored | expired | database | sweep (median) | min – max | visited | deleted |',
    '|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of Object.values(r.sweep)) {
    lines.push(
      `| ${s.stored.toLocaleString('en')} | ${s.expired.toLocaleString('en')} | ${bytes(s.databaseBytes)} | ${ms(median(s.ms))} ms | ${ms(Math.min(...s.ms))} – ${ms(Math.max(...s.ms))} ms | ${median(s.visited)} | ${median(s.deleted)} |`,
    );
  }
  return lines;
}

function storageTable(r: Results): string[] {
  const lines = ['| cache | mean body | stored per manifest, by digest | by tag |', '|---|---:|---:|---:|'];
  for (const [id, s] of Object.entries(r.storage)) {
    lines.push(`| ${id} | ${bytes(s.meanBodyBytes)} | ${bytes(s.byDigest)} | ${bytes(s.byTag)} |`);
  }
  return lines;
}

function economyTable(r: Results): string[] {
  const lines = [
    '| cache | page requests | upstream GETs | upstream HEADs | GETs for unchanged tags | moved tag served stale | GET /v2/ | preflights |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [id, e] of Object.entries(r.economy)) {
    lines.push(
      `| ${id} | ${e.requests} | ${e.gets} | ${e.heads} | ${e.unchangedTagGets} | ${e.staleAnswers} of ${e.movedTagRequests} | ${e.pings} | ${e.preflights} |`,
    );
  }
  return lines;
}

export function renderMarkdown(r: Results): string {
  const out = [
    `${r.meta.chromium}, ${r.meta.cpu}, Node ${r.meta.node}; ${r.meta.date.slice(0, 10)}, ${r.meta.seconds} s; ` +
      `load average ${r.meta.loadAverage.start[0]} at the start, ${r.meta.loadAverage.end[0]} at the end.`,
    '',
    `Latency: p50 / p90 of ${r.meta.samples} sequential requests per scenario, \`fetch()\` until the body is read, ` +
      `over ${r.meta.manifestSizes.length} manifests of ${r.meta.manifestSizes.map((m) => bytes(m.bytes)).join(', ')}. ` +
      `Load: the time until ${r.meta.loadRequests} concurrent requests have all been read` +
      (r.meta.loadRepetitions > 1 ? ` (median of ${r.meta.loadRepetitions} runs). ` : '. ') +
      `Upstream sits behind a proxy that adds ${r.meta.delayMs} ms to every request (left), or nothing (right).`,
    '',
    ...latencyTable(r),
    '',
    'After a worker stop (`ServiceWorker.stopWorker` over CDP before every request, or before each batch of ' +
      `${r.meta.loadRequests}): the time includes starting the worker. No upstream traffic, so one column.`,
    '',
    ...stoppedTable(r),
    '',
    `Sweeps (median of ${r.meta.sweepTrials}). Records are manifests and tags, seeded in pairs (a manifest and the tag pointing at it); "database" is IndexedDB's share of \`navigator.storage.estimate()\` with only the live records stored:`,
    '',
    ...sweepTable(r),
    '',
    `Storage: \`navigator.storage.estimate()\` on a fresh origin before and after storing ${Object.values(r.storage)[0]?.manifests ?? 0} manifests:`,
    '',
    ...storageTable(r),
    '',
    'Upstream economy: 1,000 page requests, 50 rounds of the same 20 tags at once, with an Accept that lists Docker types too ' +
      '(so it is CORS-preflighted); one tag (5%) moves upstream after round 25. `regcache-swr` (`fresh=0`, `swr=3600`) answers from the store ' +
      'and re-checks in the background; each round waits for those re-checks to end, as a later look at the tags would:',
    '',
    ...economyTable(r),
    '',
    'Targets:',
    '',
    ...r.targets.map(
      (t) =>
        `- ${t.met ? 'met' : '**missed**'}: ${t.target}: ${Number.isFinite(t.value) ? (Number.isInteger(t.value) ? t.value : t.value.toFixed(2)) : '—'}`,
    ),
  ];
  if (r.problems.length) out.push('', 'Problems:', '', ...r.problems.map((p) => `- ${p}`));
  return out.join('\n');
}
