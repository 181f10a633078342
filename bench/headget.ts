// HEAD against GET by tag, side by side: from Node (a kept-alive socket, a fresh socket per
// request, undici's fetch) and from a Chromium page and a relay worker, straight to
// distribution and through the bench's test proxy. Prints p50s and HEAD ÷ GET ratios.
// `npm run bench:headget`; HEADGET_SAMPLES (default 200) per cell.

import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listenLocal } from '../test/servers/listen.js';
import { startProxy } from '../test/servers/proxy.js';
import { startRegistry } from '../test/servers/registry.js';
import { buildWorkers } from './build.js';
import { type BenchManifest, pushBlobs, pushLatencySet } from './images.js';
import { type Env, LATENCY_ACCEPT, launchOnDisk, log, manifestUrl, openPage, REPO, scenarioOrigin } from './run.js';
import { median } from './stats.js';

const SAMPLES = Number(process.env.HEADGET_SAMPLES ?? 200);

type Sampler = (method: 'HEAD' | 'GET', url: string) => Promise<number>;

function nodeHttp(agent: Agent | false): Sampler {
  return (method, url) =>
    new Promise((resolve, reject) => {
      const start = performance.now();
      const req = httpRequest(url, { method, agent, headers: { accept: LATENCY_ACCEPT } }, (res) => {
        res.resume();
        res.on('end', () => resolve(performance.now() - start));
      });
      req.on('error', reject);
      req.end();
    });
}

const undiciFetch: Sampler = async (method, url) => {
  const start = performance.now();
  const res = await fetch(url, { method, headers: { accept: LATENCY_ACCEPT } });
  await res.arrayBuffer();
  return performance.now() - start;
};

// HEAD and GET alternate, over the same tags, so the machine's noise lands on both alike;
// `run` > 1 sends that many of one method before switching (on a kept-alive socket, whether
// a request follows one of the other method matters to distribution).
async function sideBySide(sample: Sampler, urls: string[], run = 1): Promise<{ head: number; get: number }> {
  const head: number[] = [];
  const get: number[] = [];
  for (let i = 0; i < 10; i++) await sample(i % 2 ? 'GET' : 'HEAD', urls[i % urls.length] as string);
  for (let i = 0; i < 2 * SAMPLES; i++) {
    const m = Math.floor(i / run) % 2 ? 'GET' : 'HEAD';
    (m === 'HEAD' ? head : get).push(await sample(m, urls[i % urls.length] as string));
  }
  return { head: median(head), get: median(get) };
}

// A Node server answering as distribution does (the same bytes, no store behind it): the
// control for distribution's own kept-alive behaviour.
async function nodeRegistry(set: BenchManifest[], stops: Env['stops']): Promise<string> {
  const server = createServer((req, res) => {
    const m = set.find((x) => req.url?.endsWith(`/manifests/${x.tag}`));
    if (!m) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': m.mediaType, 'Content-Length': String(m.body.length), 'Docker-Content-Digest': m.digest });
    res.end(req.method === 'HEAD' ? undefined : m.body);
  });
  const { url, stop } = await listenLocal(server);
  stops.push(stop);
  return url;
}

// In the page: the same alternation, each fetch timed until its body is read.
async function inPage(args: { urls: string[]; samples: number; accept: string }): Promise<{ head: number; get: number }> {
  const time = async (method: string, url: string) => {
    const start = performance.now();
    const res = await fetch(url, { method, headers: { accept: args.accept }, cache: 'no-store' });
    await res.arrayBuffer();
    return performance.now() - start;
  };
  const head: number[] = [];
  const get: number[] = [];
  for (let i = 0; i < 10; i++) await time(i % 2 ? 'GET' : 'HEAD', args.urls[i % args.urls.length] as string);
  for (let i = 0; i < args.samples; i++) {
    const url = args.urls[i % args.urls.length] as string;
    for (const m of i % 2 ? ['HEAD', 'GET'] : ['GET', 'HEAD']) (m === 'HEAD' ? head : get).push(await time(m, url));
  }
  const mid = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  return { head: mid(head), get: mid(get) };
}

export async function runHeadGet(stops: Env['stops']): Promise<void> {
  const tmp = await mkdtemp(join(tmpdir(), 'regcache-headget-'));
  stops.push(() => rm(tmp, { recursive: true, force: true }));
  const registry = await startRegistry({ corsOrigins: ['*'] });
  stops.push(() => registry.stop());
  const blobs = await pushBlobs(registry.url, REPO);
  const set = await pushLatencySet(registry.url, REPO, blobs);
  const proxy = await startProxy(registry.url, { corsOrigin: '*' });
  stops.push(() => proxy.stop());
  const bases = { distribution: registry.url, proxy: proxy.url };
  const urlsOf = (base: string) => set.map((m) => manifestUrl(base, m, 'tag'));

  const rows: Array<{ from: string; to: string; head: number; get: number }> = [];
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
  stops.push(async () => keepAlive.destroy());
  const control = await nodeRegistry(set, stops);
  for (const [to, base] of Object.entries({ distribution: registry.url, 'a Node server': control })) {
    for (const run of [1, 30]) {
      const from = `node http, one kept-alive socket, ${run === 1 ? 'methods alternating' : 'methods in runs of 30'}`;
      rows.push({ from, to, ...(await sideBySide(nodeHttp(keepAlive), urlsOf(base), run)) });
    }
  }
  const node: Record<string, Sampler> = {
    'node http, kept-alive socket': nodeHttp(keepAlive),
    'node http, a socket per request': nodeHttp(false),
    'node fetch (undici)': undiciFetch,
  };
  for (const [from, sample] of Object.entries(node)) {
    for (const [to, base] of Object.entries(bases)) rows.push({ from, to, ...(await sideBySide(sample, urlsOf(base))) });
  }

  const buildDir = join(tmp, 'build');
  await buildWorkers(buildDir, { manifests: [], urls: {} });
  const context = await launchOnDisk(join(tmp, 'profile'), stops);
  const page = await openPage(context, await scenarioOrigin(buildDir, stops), null);
  const relay = await openPage(context, await scenarioOrigin(buildDir, stops), '/relay-sw.js');
  for (const [from, p] of Object.entries({ 'Chromium page, no-store': page, 'Chromium relay worker (page → worker → upstream)': relay })) {
    for (const [to, base] of Object.entries(bases)) {
      rows.push({ from, to, ...(await p.evaluate(inPage, { urls: urlsOf(base), samples: SAMPLES, accept: LATENCY_ACCEPT })) });
    }
  }
  log(`HEAD vs GET by tag, p50 of ${SAMPLES} each, alternating`);
  console.log('| from | to | HEAD p50 | GET p50 | HEAD ÷ GET |\n|---|---|---:|---:|---:|');
  for (const r of rows)
    console.log(`| ${r.from} | ${r.to} | ${r.head.toFixed(2)} ms | ${r.get.toFixed(2)} ms | ${(r.head / r.get).toFixed(2)} |`);
}
