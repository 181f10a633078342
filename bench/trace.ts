// Chromium tracing through CDP, and what the profile reads out of a trace: the V8 CPU
// profile of the service worker threads, and the IndexedDB and ServiceWorker trace events.
import type { CDPSession } from '@playwright/test';

export const TRACE_CATEGORIES = [
  'disabled-by-default-v8.cpu_profiler',
  'disabled-by-default-v8.cpu_profiler.hires',
  'v8.execute',
  'IndexedDB',
  'ServiceWorker',
];

export async function startTrace(cdp: CDPSession): Promise<void> {
  await cdp.send('Tracing.start', {
    traceConfig: { includedCategories: TRACE_CATEGORIES, recordMode: 'recordAsMuchAsPossible' },
    transferMode: 'ReturnAsStream',
  });
}

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  id?: string;
  args?: {
    name?: string;
    data?: {
      cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] };
      timeDeltas?: number[];
    };
  };
}

interface ProfileNode {
  id: number;
  parent?: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

export async function stopTrace(cdp: CDPSession): Promise<TraceEvent[]> {
  const complete = new Promise<{ stream?: string }>((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.end');
  const { stream } = await complete;
  if (!stream) throw new Error('tracing returned no stream');
  const chunks: string[] = [];
  for (;;) {
    const r = await cdp.send('IO.read', { handle: stream, size: 1 << 20 });
    chunks.push(r.base64Encoded ? Buffer.from(r.data, 'base64').toString('utf8') : r.data);
    if (r.eof) break;
  }
  await cdp.send('IO.close', { handle: stream });
  const parsed = JSON.parse(chunks.join('')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  return Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
}

export interface FunctionCost {
  function: string;
  selfMs: number;
  /** Share of the threads' busy (non-idle) samples. */
  share: number;
}

export interface CpuSummary {
  threads: string[];
  busyMs: number;
  idleMs: number;
  top: FunctionCost[];
  /** Self time grouped by where the code lives: regcache, idb, workbox, V8/GC, the rest. */
  byOrigin: Record<string, number>;
}

function place(frame: ProfileNode['callFrame'], name: string): string {
  if (name === '(garbage collector)') return 'garbage collector';
  if (name === '(program)') return 'V8 / Blink outside JS ("(program)")';
  if (!frame.url) return 'native / builtins';
  return 'worker script';
}

const parentsOf = new WeakMap<Map<number, ProfileNode>, Map<number, number>>();

function caller(nodes: Map<number, ProfileNode>, node: ProfileNode): string {
  let parents = parentsOf.get(nodes);
  if (!parents) {
    parents = new Map();
    for (const n of nodes.values())
      for (const child of (n as ProfileNode & { children?: number[] }).children ?? []) parents.set(child, n.id);
    parentsOf.set(nodes, parents);
  }
  let id = node.parent ?? parents.get(node.id);
  for (let depth = 0; id !== undefined && depth < 50; depth++) {
    const up = nodes.get(id);
    if (!up) break;
    if (up.callFrame.functionName && up.callFrame.functionName !== '(root)') return up.callFrame.functionName;
    id = up.parent ?? parents.get(up.id);
  }
  return 'the event loop';
}

/** Self time per function on every thread whose name matches `thread` (V8's sampling profiler). */
export function cpuProfile(events: TraceEvent[], thread: RegExp, moduleOf: (url: string, line: number) => string): CpuSummary {
  const names = new Map<string, string>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name) names.set(`${e.pid}:${e.tid}`, e.args.name);
  // Profiles are keyed by their id; their chunks can come from the thread or its sampler.
  const profiles = new Map<string, { thread: string; nodes: Map<number, ProfileNode>; samples: number[]; deltas: number[] }>();
  for (const e of events) {
    if (e.name !== 'Profile' && e.name !== 'ProfileChunk') continue;
    const key = `${e.pid}:${e.id}`;
    let p = profiles.get(key);
    if (!p) {
      p = { thread: names.get(`${e.pid}:${e.tid}`) ?? '', nodes: new Map(), samples: [], deltas: [] };
      profiles.set(key, p);
    }
    if (e.name === 'Profile') p.thread = names.get(`${e.pid}:${e.tid}`) ?? p.thread;
    const data = e.args?.data;
    for (const n of data?.cpuProfile?.nodes ?? []) p.nodes.set(n.id, n);
    p.samples.push(...(data?.cpuProfile?.samples ?? []));
    p.deltas.push(...(data?.timeDeltas ?? []));
  }
  const self = new Map<string, number>();
  const byOrigin: Record<string, number> = {};
  let busy = 0;
  let idle = 0;
  const threads: string[] = [];
  for (const p of profiles.values()) {
    if (!thread.test(p.thread)) continue;
    threads.push(p.thread);
    for (let i = 0; i < p.samples.length; i++) {
      // A sample lasts until the next one.
      const us = p.deltas[i + 1] ?? 0;
      const node = p.nodes.get(p.samples[i]!);
      if (!node) continue;
      let name = node.callFrame.functionName || '(anonymous)';
      // A nameless frame without a script is V8 or Blink code: name it by its caller.
      if (!node.callFrame.functionName && !node.callFrame.url) name = `(native, called from ${caller(p.nodes, node)})`;
      if (name === '(idle)') {
        idle += us;
        continue;
      }
      busy += us;
      const where = node.callFrame.url ? moduleOf(node.callFrame.url, node.callFrame.lineNumber) : place(node.callFrame, name);
      const label = node.callFrame.url ? `${name} (${where})` : name;
      self.set(label, (self.get(label) ?? 0) + us);
      byOrigin[where] = (byOrigin[where] ?? 0) + us / 1000;
    }
  }
  const top = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 20)
    .map(([fn, us]) => ({ function: fn, selfMs: us / 1000, share: busy ? us / busy : 0 }));
  return { threads, busyMs: busy / 1000, idleMs: idle / 1000, top, byOrigin };
}

export interface EventCost {
  name: string;
  count: number;
  totalMs: number;
  meanMs: number;
}

/** Complete ('X') events of the given categories, by name, costliest first. */
export function traceEvents(events: TraceEvent[], categories: RegExp, limit = 20): EventCost[] {
  const by = new Map<string, { count: number; total: number }>();
  for (const e of events) {
    if (e.ph !== 'X' || e.dur === undefined || !categories.test(e.cat)) continue;
    const entry = by.get(e.name) ?? { count: 0, total: 0 };
    entry.count++;
    entry.total += e.dur;
    by.set(e.name, entry);
  }
  return [...by.entries()]
    .sort((a, b) => b[1].total - a[1].total)
    .slice(0, limit)
    .map(([name, { count, total }]) => ({ name, count, totalMs: total / 1000, meanMs: total / 1000 / count }));
}

const VLQ = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * For a built script and its source map: the source file each generated line (0-based,
 * as in V8's call frames) comes from, with node_modules paths shortened to the package.
 */
export function sourceOfLine(map: { sources: string[]; mappings: string }): (line: number) => string {
  const lines = map.mappings.split(';');
  const sourceByLine: number[] = [];
  let source = 0;
  for (const line of lines) {
    let first = -1;
    for (const segment of line.split(',')) {
      if (!segment) continue;
      // Each segment: generated column, source index, source line, source column[, name], as deltas.
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of segment) {
        const digit = VLQ.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          fields.push(value & 1 ? -(value >> 1) : value >> 1);
          value = 0;
          shift = 0;
        }
      }
      if (fields.length >= 4) {
        source += fields[1]!;
        if (first < 0) first = source;
      }
    }
    sourceByLine.push(first);
  }
  const short = (path: string) => {
    const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    if (nm) return nm[1]!;
    const src = /(src\/.*)$/.exec(path);
    return src ? src[1]! : path;
  };
  return (line) => {
    for (let l = line; l >= 0; l--) {
      const s = sourceByLine[l];
      if (s !== undefined && s >= 0) return short(map.sources[s] ?? '?');
    }
    return '?';
  };
}
