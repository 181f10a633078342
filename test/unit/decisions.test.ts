// The decision table (contract §2–§4): what a request is answered with, when, with which
// Cache-Status, and what it costs upstream. ManifestStrategy runs here against an in-memory
// store and a fake registry behind a stubbed fetch: no browser, no IndexedDB.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RegcacheConfig } from '../../src/core/config.js';
import { acceptKey, parseAccept } from '../../src/core/http/accept.js';
import { computeDigest } from '../../src/core/oci/digest.js';
import { parseManifestUrl } from '../../src/core/oci/grammar.js';
import type { RegcacheEvent } from '../../src/core/protocol.js';
import type { Timers } from '../../src/sw/storage/batch.js';
import { type Extension, Recency } from '../../src/sw/storage/recency.js';
import type { ManifestKey, ManifestRecord, TagKey, TagRecord } from '../../src/sw/storage/schema.js';
import { ManifestStrategy, type StrategyStore } from '../../src/sw/strategy/manifest-strategy.js';

const REGISTRY = 'https://registry.example';
const PAGE = 'https://page.example';
const REPO = 'team/app';
const OCI = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER = 'application/vnd.docker.distribution.manifest.v2+json';
const ACCEPT = `${OCI}, ${DOCKER}`;
const TTL = 600;

interface Image {
  body: Uint8Array<ArrayBuffer>;
  digest: string;
  mediaType: string;
}

async function image(n: number, mediaType = OCI): Promise<Image> {
  const body = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType, config: { size: n } }));
  return { body, digest: await computeDigest('sha256', body), mediaType };
}

// The strategy's storage, in memory: what ManifestStore does, minus IndexedDB.
class MemoryStore implements StrategyStore {
  readonly manifests = new Map<string, ManifestRecord>();
  readonly tags = new Map<string, TagRecord>();

  async getManifest(key: ManifestKey) {
    return this.manifests.get(key.join('\n'));
  }
  async getTag(key: TagKey) {
    return this.tags.get(key.join('\n'));
  }
  async put(manifest: ManifestRecord | null, tag: TagRecord | null, overStored?: boolean) {
    if (!manifest && tag && !this.manifests.has([tag.upstream, tag.repository, tag.digest].join('\n'))) return false;
    if (overStored && tag && !this.tags.has([tag.upstream, tag.repository, tag.tag, tag.accept].join('\n'))) return false;
    if (manifest) this.manifests.set([manifest.upstream, manifest.repository, manifest.digest].join('\n'), manifest);
    if (tag) this.tags.set([tag.upstream, tag.repository, tag.tag, tag.accept].join('\n'), tag);
    return true;
  }
  // No memory copy in front of this store: an extension reaches it when written.
  extendRemembered() {}
  // Each batch of extensions written, in order, for the tests of when they land.
  readonly extended: Extension[][] = [];
  // Last-use times are not kept here; extensions are.
  async touch(_m: unknown, _t: unknown, batch: readonly Extension[] = []) {
    if (batch.length) this.extended.push([...batch]);
    for (const { manifest, tag, confirmedAt, expiresAt } of batch) {
      const m = this.manifests.get(manifest.join('\n'));
      if (!m) continue;
      this.manifests.set(manifest.join('\n'), { ...m, confirmedAt, expiresAt });
      const t = tag && this.tags.get(tag.join('\n'));
      if (tag && t) this.tags.set(tag.join('\n'), { ...t, confirmedAt, expiresAt });
    }
    return true;
  }
  async dropTag(key: TagKey) {
    return this.tags.delete(key.join('\n'));
  }
  async dropTagVariants(upstream: string, repository: string, tag: string) {
    for (const [k, t] of this.tags) if (t.upstream === upstream && t.repository === repository && t.tag === tag) this.tags.delete(k);
    return true;
  }
  async dropManifest(key: ManifestKey) {
    this.manifests.delete(key.join('\n'));
    for (const [k, t] of this.tags) if ([t.upstream, t.repository, t.digest].join('\n') === key.join('\n')) this.tags.delete(k);
    return true;
  }
  tagDigests(): string[] {
    return [...this.tags.values()].map((t) => `${t.tag}@${t.digest}`);
  }
}

interface Call {
  method: string;
  reference: string;
  authorization: string | null;
  credentials: RequestCredentials | undefined;
}

type Override = (call: Call, signal: AbortSignal | undefined) => Response | Promise<Response | undefined> | undefined;

// A registry: tags and manifests, optional credentials, and per-test misbehaviour.
class Registry {
  readonly calls: Call[] = [];
  readonly tags = new Map<string, Image>();
  readonly images = new Map<string, Image>();
  // Answers 401 to any request without Authorization.
  privateRepo = false;
  override: Override | null = null;

  push(tag: string, img: Image): void {
    this.tags.set(tag, img);
    this.images.set(img.digest, img);
  }

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const reference = url.pathname.slice(`/v2/${REPO}/manifests/`.length);
    const call: Call = {
      method: request.method,
      reference,
      authorization: request.headers.get('Authorization'),
      credentials: init?.credentials ?? request.credentials,
    };
    this.calls.push(call);
    const overridden = await this.override?.(call, init?.signal ?? undefined);
    if (overridden) return overridden;
    if (this.privateRepo && call.authorization === null) return new Response(null, { status: 401 });
    const img = reference.includes(':') ? this.images.get(reference) : this.tags.get(reference);
    if (!img) return new Response(request.method === 'HEAD' ? null : '{"errors":[{"code":"MANIFEST_UNKNOWN"}]}', { status: 404 });
    return new Response(request.method === 'HEAD' ? null : img.body.slice(), {
      headers: {
        'Content-Type': img.mediaType,
        'Content-Length': String(img.body.byteLength),
        'Docker-Content-Digest': img.digest,
        Etag: `"${img.digest}"`,
      },
    });
  };

  // What went upstream since the last look, as "METHOD reference".
  take(): string[] {
    return this.calls.splice(0).map((c) => `${c.method} ${c.reference}`);
  }
}

// `shared`: the store and registry of an earlier setup, as a restarted worker finds them.
function setup(config: Partial<RegcacheConfig> = {}, shared?: { store: MemoryStore; registry: Registry; clock: number }) {
  const store = shared?.store ?? new MemoryStore();
  const registry = shared?.registry ?? new Registry();
  const counts: Record<string, number> = {};
  // Events as sent, each with the tag digests the store held when it was sent.
  const events: Array<{ event: RegcacheEvent; stored: string[] }> = [];
  // Work handed to waitUntil (background re-checks), until settle() awaits it.
  const background: Array<Promise<void>> = [];
  let clock = shared?.clock ?? 1_700_000_000_000;
  // Batched writes wait for flush(): nothing is written behind a test's back.
  const timers: Timers = { setTimeout: () => 0, clearTimeout: () => undefined };
  const recency = new Recency(store, timers);
  const strategy = new ManifestStrategy({
    config: { upstreams: [REGISTRY], ttl: TTL, fresh: 0, swr: 0, timeout: 1000, maxBytes: 1 << 26, ...config },
    store,
    stats: {
      bump: (counter, by = 1) => {
        counts[counter] = (counts[counter] ?? 0) + by;
      },
    },
    recency,
    maintenance: { evict: async () => undefined, afterStore: async () => undefined },
    events: { emit: (event) => events.push({ event, stored: store.tagDigests() }) },
    now: () => clock,
    ownOrigin: PAGE,
  });
  vi.stubGlobal('fetch', registry.fetch);

  const ask = async (reference: string, init: RequestInit & { headers?: Record<string, string> } = {}) => {
    const url = `${REGISTRY}/v2/${REPO}/manifests/${reference}`;
    const request = new Request(url, { ...init, headers: { Accept: ACCEPT, ...init.headers } });
    const target = parseManifestUrl(new URL(url));
    if (!target) throw new Error(`not a manifest URL: ${url}`);
    const response = await strategy.handle(request, target, (work) => background.push(work));
    const body = response.type === 'error' ? null : new Uint8Array(await response.arrayBuffer());
    return { status: response.status, cacheStatus: response.headers.get('Cache-Status'), headers: response.headers, body };
  };
  const write = (reference: string, method: string) => {
    const url = `${REGISTRY}/v2/${REPO}/manifests/${reference}`;
    return strategy.write(new Request(url, { method }), parseManifestUrl(new URL(url))!);
  };
  return {
    store,
    registry,
    recency,
    write,
    counts,
    events,
    ask,
    // Waits for every background re-check started so far; answers how many there were.
    // As the worker's waitUntil does: the background work, then the batched writes it left.
    settle: async () => {
      const settled = (await Promise.all(background.splice(0))).length;
      await recency.flush();
      return settled;
    },
    advance: (ms: number) => {
      clock += ms;
    },
    now: () => clock,
  };
}

let t: ReturnType<typeof setup>;
let v1: Image;
let v2: Image;

beforeEach(async () => {
  t = setup();
  v1 = await image(1);
  v2 = await image(2);
});

afterEach(async () => {
  // A background re-check left running waits for a quiet worker: let it end against this
  // test's registry, not the next one's.
  if (vi.isFakeTimers()) await vi.runAllTimersAsync();
  await t.settle();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('by digest', () => {
  it('a stored digest is a hit with zero upstream requests', async () => {
    t.registry.push('v1', v1);
    await t.ask(v1.digest);
    t.registry.take();
    const r = await t.ask(v1.digest);
    expect(r.status).toBe(200);
    expect(r.cacheStatus).toBe(`regcache; hit; ttl=${TTL}`);
    expect(r.body).toEqual(v1.body);
    expect(t.registry.take()).toEqual([]);
  });

  it('a digest not stored is fetched, verified and stored', async () => {
    t.registry.push('v1', v1);
    const r = await t.ask(v1.digest);
    expect(r.status).toBe(200);
    expect(r.cacheStatus).toBe(`regcache; fwd=miss; stored; ttl=${TTL}`);
    expect(r.body).toEqual(v1.body);
    expect(r.headers.get('Docker-Content-Digest')).toBe(v1.digest);
    expect(t.registry.take()).toEqual([`GET ${v1.digest}`]);
    expect([...t.store.manifests.values()].map((m) => m.digest)).toEqual([v1.digest]);
  });

  it('a HEAD not stored passes upstream HEAD through', async () => {
    t.registry.push('v1', v1);
    const r = await t.ask(v1.digest, { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.cacheStatus).toBe('regcache; fwd=miss; fwd-status=200');
    expect(t.registry.take()).toEqual([`HEAD ${v1.digest}`]);
    expect(t.store.manifests.size).toBe(0);
  });

  it('a stored manifest of a type the request does not accept goes upstream', async () => {
    t.registry.push('v1', v1);
    await t.ask(v1.digest);
    t.registry.take();
    const r = await t.ask(v1.digest, { headers: { Accept: DOCKER } });
    expect(r.cacheStatus).toMatch(/^regcache; fwd=vary-miss/);
    expect(t.registry.take()).toEqual([`GET ${v1.digest}`]);
  });

  it('concurrent misses share one upstream GET', async () => {
    t.registry.push('v1', v1);
    const [a, b] = await Promise.all([t.ask(v1.digest), t.ask(v1.digest)]);
    expect(a.cacheStatus).toBe(`regcache; fwd=miss; stored; ttl=${TTL}`);
    expect(b.cacheStatus).toBe(`regcache; fwd=miss; stored; collapsed; ttl=${TTL}`);
    expect(t.registry.take()).toEqual([`GET ${v1.digest}`]);
  });
});

describe('by tag', () => {
  it('inside the freshness window is a hit with zero upstream requests', async () => {
    t = setup({ fresh: 60 });
    t.registry.push('v1', v1);
    await t.ask('v1');
    t.registry.take();
    t.advance(30_000);
    const r = await t.ask('v1');
    expect(r.cacheStatus).toBe(`regcache; hit; ttl=${TTL - 30}`);
    expect(t.registry.take()).toEqual([]);
  });

  it('Cache-Control: no-cache skips the freshness window', async () => {
    t = setup({ fresh: 60 });
    t.registry.push('v1', v1);
    await t.ask('v1');
    t.registry.take();
    const r = await t.ask('v1', { headers: { 'Cache-Control': 'no-cache' } });
    expect(r.cacheStatus).toBe(`regcache; hit; ttl=${TTL}; detail=revalidated`);
    expect(t.registry.take()).toEqual(['HEAD v1']);
  });

  it('a re-check naming the same digest serves the stored answer, its life extended', async () => {
    t.registry.push('v1', v1);
    const first = await t.ask('v1');
    expect(first.cacheStatus).toBe(`regcache; fwd=miss; stored; ttl=${TTL}`);
    expect(t.registry.take()).toEqual(['GET v1']);
    t.advance(100_000);
    const r = await t.ask('v1');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(v1.body);
    expect(r.cacheStatus).toBe(`regcache; hit; ttl=${TTL}; detail=revalidated`);
    expect(t.registry.take()).toEqual(['HEAD v1']);
  });

  it('a re-checked answer goes out before its extension is written; the write follows, batched', async () => {
    t.registry.push('v1', v1);
    t.registry.push('v2', v2);
    await t.ask('v1');
    await t.ask('v2');
    const before = t.store.tags.get([REGISTRY, REPO, 'v1', acceptKey(parseAccept(ACCEPT))].join('\n'))!;
    t.advance(100_000);
    const order: string[] = [];
    const touch = t.store.touch.bind(t.store);
    t.store.touch = async (m, tags, batch = []) => {
      order.push(`write ${batch.length}`);
      return touch(m, tags, batch);
    };
    const answers = await Promise.all(
      ['v1', 'v2'].map(async (tag) => {
        const r = await t.ask(tag);
        order.push(`answer ${tag}`);
        return r;
      }),
    );
    for (const r of answers) expect(r.cacheStatus).toBe(`regcache; hit; ttl=${TTL}; detail=revalidated`);
    // Nothing written yet: the stored tag still has its old life.
    expect(t.store.tags.get([REGISTRY, REPO, 'v1', acceptKey(parseAccept(ACCEPT))].join('\n'))).toEqual(before);
    await t.recency.flush();
    expect(order).toEqual(['answer v1', 'answer v2', 'write 2']);
    const after = t.store.tags.get([REGISTRY, REPO, 'v1', acceptKey(parseAccept(ACCEPT))].join('\n'))!;
    expect(after.confirmedAt).toBe(t.now());
    expect(after.expiresAt).toBe(t.now() + TTL * 1000);
    expect(t.store.manifests.get([REGISTRY, REPO, v1.digest].join('\n'))!.expiresAt).toBe(t.now() + TTL * 1000);
  });

  it('a worker stopped before the extension is written loses only the extension', async () => {
    t.registry.push('v1', v1);
    await t.ask('v1');
    t.advance((TTL - 10) * 1000);
    expect((await t.ask('v1')).cacheStatus).toBe(`regcache; hit; ttl=${TTL}; detail=revalidated`);
    t.registry.take();
    // A new worker over the same records; the first one's pending write is gone.
    const restarted = setup({}, { store: t.store, registry: t.registry, clock: t.now() });
    const still = await restarted.ask('v1');
    // The record keeps its old life: re-checked, served, with what is left of it.
    expect(still.cacheStatus).toBe(`regcache; hit; ttl=${TTL}; detail=revalidated`);
    expect(still.body).toEqual(v1.body);
    expect(restarted.registry.take()).toEqual(['HEAD v1']);
    // Unwritten, that second extension is lost too: past the old expiry the tag is fetched again, never served as stored.
    restarted.advance(20_000);
    const later = await restarted.ask('v1');
    expect(later.cacheStatus).toBe(`regcache; fwd=stale; stored; ttl=${TTL}`);
    expect(later.body).toEqual(v1.body);
    expect(restarted.registry.take()).toEqual(['GET v1']);
  });

  it('a moved tag is fetched by its new digest, verified and stored', async () => {
    t.registry.push('v1', v1);
    await t.ask('v1');
    t.registry.push('v1', v2);
    t.registry.take();
    const r = await t.ask('v1');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(v2.body);
    expect(r.cacheStatus).toBe(`regcache; fwd=stale; stored; ttl=${TTL}`);
    expect(t.registry.take()).toEqual(['HEAD v1', `GET ${v2.digest}`]);
    expect(t.store.tagDigests()).toEqual([`v1@${v2.digest}`]);
  });

  it('a tag moved to content already stored is repointed without a GET', async () => {
    t.registry.push('v1', v1);
    t.registry.push('v2', v2);
    await t.ask('v1');
    await t.ask(v2.digest);
    t.registry.push('v1', v2);
    t.registry.take();
    const r = await t.ask('v1');
    expect(r.body).toEqual(v2.body);
    expect(r.cacheStatus).toBe(`regcache; hit; ttl=${TTL}; detail=revalidated`);
    expect(t.registry.take()).toEqual(['HEAD v1']);
    expect(t.store.tagDigests()).toEqual([`v1@${v2.digest}`]);
  });

  it('a HEAD of a moved tag passes upstream HEAD through', async () => {
    t.registry.push('v1', v1);
    await t.ask('v1');
    t.registry.push('v1', v2);
    t.registry.take();
    const r = await t.ask('v1', { method: 'HEAD' });
    expect(r.headers.get('Docker-Content-Digest')).toBe(v2.digest);
    expect(r.cacheStatus).toBe('regcache; fwd=stale');
    expect(t.registry.take()).toEqual(['HEAD v1']);
  });

  it('a 404 passes through and drops only that Accept set’s variant', async () => {
    t.registry.push('v1', v1);
    await t.ask('v1');
    await t.ask('v1', { headers: { Accept: OCI } });
    expect(t.store.tags.size).toBe(2);
    t.registry.tags.delete('v1');
    t.registry.take();
    const r = await t.ask('v1', { headers: { Accept: OCI } });
    expect(r.status).toBe(404);
    expect(r.cacheStatus).toBe('regcache; fwd=stale; fwd-status=404');
    // A GET is asked again as a GET, so the page gets upstream's body too.
    expect(t.registry.take()).toEqual(['HEAD v1', 'GET v1']);
    expect([...t.store.tags.values()].map((tag) => tag.accept)).toEqual([acceptKey(parseAccept(ACCEPT))]);
    expect(t.store.manifests.size).toBe(1);
  });

  it.each([
    ['a 404 to a HEAD re-check drops the variant too', 0],
    ['a 404 to a HEAD for an expired tag drops that variant', (TTL + 1) * 1000],
  ])('%s', async (_name, later) => {
    t.registry.push('v1', v1);
    await t.ask('v1');
    t.registry.tags.delete('v1');
    t.advance(later);
    t.registry.take();
    const r = await t.ask('v1', { method: 'HEAD' });
    expect(r.status).toBe(404);
    expect(r.cacheStatus).toBe('regcache; fwd=stale; fwd-status=404');
    expect(t.registry.take()).toEqual(['HEAD v1']);
    expect(t.store.tags.size).toBe(0);
  });

  it('a 404 for a tag not stored passes through', async () => {
    const r = await t.ask('nope');
    expect(r.status).toBe(404);
    expect(r.cacheStatus).toBe('regcache; fwd=miss; fwd-status=404');
    expect(t.registry.take()).toEqual(['GET nope']);
  });
});

describe('upstream failing while a tag is re-checked', () => {
  beforeEach(async () => {
    t.registry.push('v1', v1);
    await t.ask('v1');
    t.registry.take();
  });

  it.each([500, 503])('%i: a public record is served stale', async (status) => {
    t.registry.override = () => new Response(null, { status });
    const r = await t.ask('v1');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(v1.body);
    expect(r.cacheStatus).toBe(`regcache; hit; fwd-status=${status}; ttl=${TTL}; detail=stale`);
    expect(t.registry.take()).toEqual(['HEAD v1']);
  });

  it('429: served stale, and no re-check until Retry-After has passed', async () => {
    t.registry.override = () => new Response(null, { status: 429, headers: { 'Retry-After': '30' } });
    const r = await t.ask('v1');
    expect(r.cacheStatus).toBe(`regcache; hit; fwd-status=429; ttl=${TTL}; detail=stale`);
    expect(t.registry.take()).toEqual(['HEAD v1']);
    const gated = await t.ask('v1');
    expect(gated.cacheStatus).toBe(`regcache; hit; fwd-status=429; ttl=${TTL}; detail=stale`);
    expect(t.registry.take()).toEqual([]);
    t.advance(31_000);
    t.registry.override = null;
    const after = await t.ask('v1');
    expect(after.cacheStatus).toBe(`regcache; hit; ttl=${TTL}; detail=revalidated`);
    expect(t.registry.take()).toEqual(['HEAD v1']);
  });

  it('a network error: served stale', async () => {
    t.registry.override = () => {
      throw new TypeError('Failed to fetch');
    };
    const r = await t.ask('v1');
    expect(r.cacheStatus).toBe(`regcache; hit; ttl=${TTL}; detail=stale`);
  });

  it('a timeout: served stale', async () => {
    t = setup({ timeout: 20 });
    t.registry.push('v1', v1);
    await t.ask('v1');
    t.registry.take();
    t.registry.override = (_call, signal) =>
      new Promise<Response>((_, reject) => signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    const r = await t.ask('v1');
    expect(r.status).toBe(200);
    expect(r.cacheStatus).toBe(`regcache; hit; ttl=${TTL}; detail=stale`);
    expect(t.registry.take()).toEqual(['HEAD v1']);
  });

  it('with nothing stored, the page gets what upstream said', async () => {
    t.registry.override = () => new Response('down', { status: 503 });
    const r = await t.ask('other');
    expect(r.status).toBe(503);
    expect(r.cacheStatus).toBe('regcache; fwd=miss; fwd-status=503');
  });

  it('with nothing stored and upstream unreachable, a network error', async () => {
    t.registry.override = () => {
      throw new TypeError('Failed to fetch');
    };
    const r = await t.ask('other');
    expect(r.status).toBe(0);
    expect(r.body).toBeNull();
  });
});

describe('credentials', () => {
  const AUTH = { Authorization: 'Bearer secret' };

  async function storePrivate() {
    t.registry.privateRepo = true;
    t.registry.push('v1', v1);
    const r = await t.ask('v1', { headers: AUTH });
    expect(r.cacheStatus).toBe(`regcache; fwd=miss; stored; ttl=${TTL}`);
    // The credential-free HEAD is refused: the record is private.
    expect(t.registry.calls.map((c) => [c.method, c.authorization, c.credentials])).toEqual([
      ['GET', 'Bearer secret', 'same-origin'],
      ['HEAD', null, 'omit'],
    ]);
    t.registry.take();
    expect([...t.store.manifests.values()].map((m) => m.private)).toEqual([true]);
    expect([...t.store.tags.values()].map((tag) => tag.private)).toEqual([true]);
  }

  it('concurrent GETs of one digest with different credentials make one GET; the others are authorized by their own HEAD', async () => {
    t.registry.privateRepo = true;
    t.registry.push('v1', v1);
    const tokens = ['Bearer a', 'Bearer b', 'Bearer c'];
    const answers = await Promise.all(tokens.map((token) => t.ask(v1.digest, { headers: { Authorization: token } })));
    for (const r of answers) {
      expect(r.status).toBe(200);
      expect(r.body).toEqual(v1.body);
    }
    const calls = t.registry.calls.map((c) => `${c.method} ${c.authorization}`);
    expect(calls.filter((c) => c.startsWith('GET'))).toEqual(['GET Bearer a']);
    expect(calls.filter((c) => c.startsWith('HEAD')).sort()).toEqual(['HEAD Bearer b', 'HEAD Bearer c', 'HEAD null']);
    expect(answers.map((r) => r.cacheStatus)).toEqual([
      `regcache; fwd=miss; stored; ttl=${TTL}`,
      `regcache; fwd=miss; stored; collapsed; ttl=${TTL}`,
      `regcache; fwd=miss; stored; collapsed; ttl=${TTL}`,
    ]);
  });

  it('a request whose own HEAD is refused never gets the shared body: it gets upstream’s refusal', async () => {
    t.registry.privateRepo = true;
    t.registry.push('v1', v1);
    const refusal = '{"errors":[{"code":"DENIED"}]}';
    t.registry.override = (call) =>
      call.authorization === 'Bearer other-repo' ? new Response(call.method === 'HEAD' ? null : refusal, { status: 403 }) : undefined;
    const [good, refused] = await Promise.all([
      t.ask(v1.digest, { headers: { Authorization: 'Bearer good' } }),
      t.ask(v1.digest, { headers: { Authorization: 'Bearer other-repo' } }),
    ]);
    expect(good.status).toBe(200);
    expect(good.body).toEqual(v1.body);
    expect(refused.status).toBe(403);
    expect(new TextDecoder().decode(refused.body!)).toBe(refusal);
    const calls = t.registry.calls.map((c) => `${c.method} ${c.authorization}`);
    expect(calls.filter((c) => c.includes('other-repo'))).toEqual(['HEAD Bearer other-repo', 'GET Bearer other-repo']);
    expect(calls.filter((c) => c === 'GET Bearer good')).toHaveLength(1);
  });

  it('a credentialed miss of public content is stored public: later a zero-request hit for anyone', async () => {
    t.registry.push('v1', v1);
    await t.ask('v1', { headers: AUTH });
    expect(t.registry.calls.map((c) => [c.method, c.authorization, c.credentials])).toEqual([
      ['GET', 'Bearer secret', 'same-origin'],
      ['HEAD', null, 'omit'],
    ]);
    t.registry.take();
    expect([...t.store.manifests.values()].map((m) => m.private)).toEqual([false]);
    // The HEAD asked by the tag, so the tag's resolution is public as well.
    expect([...t.store.tags.values()].map((tag) => tag.private)).toEqual([false]);
    const r = await t.ask(v1.digest);
    expect(r.cacheStatus).toBe(`regcache; hit; ttl=${TTL}`);
    expect(t.registry.take()).toEqual([]);
  });

  it('a credentialed miss of content upstream refuses without credentials is private', async () => {
    await storePrivate();
    // Even by digest, upstream must accept this request's own credentials first.
    const r = await t.ask(v1.digest, { headers: AUTH });
    expect(r.cacheStatus).toBe(`regcache; hit; ttl=${TTL}; detail=revalidated`);
    expect(t.registry.take()).toEqual([`HEAD ${v1.digest}`]);
  });

  it('a private record is refused to a request upstream refuses', async () => {
    await storePrivate();
    const r = await t.ask(v1.digest);
    expect(r.status).toBe(401);
    expect(r.cacheStatus).toBe('regcache; fwd=stale; fwd-status=401');
    expect(t.registry.take()).toEqual([`HEAD ${v1.digest}`, `GET ${v1.digest}`]);
  });

  it('a private record is not served stale on a 5xx', async () => {
    await storePrivate();
    t.registry.override = () => new Response('down', { status: 503 });
    const r = await t.ask('v1', { headers: AUTH });
    expect(r.status).toBe(503);
    expect(r.cacheStatus).toBe('regcache; fwd=stale; fwd-status=503');
    expect(t.registry.take()).toEqual(['HEAD v1', 'GET v1']);
  });

  it('a private record is served stale when upstream cannot be reached', async () => {
    await storePrivate();
    t.registry.override = () => {
      throw new TypeError('Failed to fetch');
    };
    const r = await t.ask('v1', { headers: AUTH });
    expect(r.status).toBe(200);
    expect(r.cacheStatus).toBe(`regcache; hit; ttl=${TTL}; detail=stale`);
  });

  it('a private record is not served on a 429: the page is told to wait, then the gate answers', async () => {
    await storePrivate();
    t.registry.override = () => new Response(null, { status: 429, headers: { 'Retry-After': '30' } });
    const r = await t.ask('v1', { headers: AUTH });
    expect(r.status).toBe(429);
    expect(r.headers.get('Retry-After')).toBe('30');
    expect(r.cacheStatus).toBe('regcache; fwd=stale; fwd-status=429');
    expect(JSON.parse(new TextDecoder().decode(r.body!)).errors[0].code).toBe('TOOMANYREQUESTS');
    expect(t.registry.take()).toEqual(['HEAD v1']);

    t.advance(10_000);
    const gated = await t.ask('v1', { headers: AUTH });
    expect(gated.status).toBe(429);
    expect(gated.headers.get('Retry-After')).toBe('20');
    expect(gated.cacheStatus).toBe('regcache; detail=retry-after');
    expect(t.registry.take()).toEqual([]);
  });

  it('a HEAD for a private record on a 429 gets upstream’s answer', async () => {
    await storePrivate();
    t.registry.override = () => new Response(null, { status: 429 });
    const r = await t.ask('v1', { method: 'HEAD', headers: AUTH });
    expect(r.status).toBe(429);
    expect(r.cacheStatus).toBe('regcache; fwd=stale; fwd-status=429');
  });

  it('within the fresh window, credentials upstream accepted need no new HEAD', async () => {
    t = setup({ fresh: 60 });
    v1 = await image(1);
    await storePrivate();
    const first = await t.ask(v1.digest, { headers: AUTH });
    expect(first.cacheStatus).toBe(`regcache; hit; ttl=${TTL}; detail=revalidated`);
    expect(t.registry.take()).toEqual([`HEAD ${v1.digest}`]);
    const again = await t.ask(v1.digest, { headers: AUTH });
    expect(again.cacheStatus).toBe(`regcache; hit; ttl=${TTL}`);
    expect(t.registry.take()).toEqual([]);
  });
});

describe('verification', () => {
  it('a non-canonical Docker-Content-Digest is treated as absent: the key comes from the body', async () => {
    t.registry.override = () =>
      new Response(v1.body.slice(), { headers: { 'Content-Type': OCI, 'Docker-Content-Digest': v1.digest.toUpperCase() } });
    const r = await t.ask('v1');
    expect(r.status).toBe(200);
    expect(r.cacheStatus).toBe(`regcache; fwd=miss; stored; ttl=${TTL}`);
    // Upstream's header is repeated as sent; the key is the canonical digest.
    expect(r.headers.get('Docker-Content-Digest')).toBe(v1.digest.toUpperCase());
    expect([...t.store.manifests.values()].map((m) => m.digest)).toEqual([v1.digest]);
  });

  it('a body that does not match its Docker-Content-Digest is a 502 DIGEST_INVALID, not stored', async () => {
    t.registry.override = () => new Response(v2.body.slice(), { headers: { 'Content-Type': OCI, 'Docker-Content-Digest': v1.digest } });
    const r = await t.ask('v1');
    expect(r.status).toBe(502);
    expect(r.cacheStatus).toBe('regcache; fwd=miss');
    const error = JSON.parse(new TextDecoder().decode(r.body!)).errors[0];
    expect(error.code).toBe('DIGEST_INVALID');
    expect(error.detail).toEqual({ url: `${REGISTRY}/v2/${REPO}/manifests/v1`, dockerContentDigest: v1.digest, computed: v2.digest });
    expect(t.store.manifests.size + t.store.tags.size).toBe(0);
    expect(t.counts.verificationFailures).toBe(1);
  });

  it('a body that does not hash to the digest it was requested by is a 502 DIGEST_INVALID', async () => {
    t.registry.override = () => new Response(v2.body.slice(), { headers: { 'Content-Type': OCI } });
    const r = await t.ask(v1.digest);
    expect(r.status).toBe(502);
    const error = JSON.parse(new TextDecoder().decode(r.body!)).errors[0];
    expect(error).toMatchObject({ code: 'DIGEST_INVALID', detail: { requested: v1.digest } });
    expect(t.store.manifests.size).toBe(0);
  });

  it('Cache-Control: no-store from upstream: served, not stored', async () => {
    t.registry.override = () => new Response(v1.body.slice(), { headers: { 'Content-Type': OCI, 'Cache-Control': 'no-store' } });
    const r = await t.ask('v1');
    expect(r.status).toBe(200);
    expect(r.cacheStatus).toBe('regcache; fwd=miss; fwd-status=200; detail=not-stored');
    expect(t.store.manifests.size).toBe(0);
  });
});

describe('writes', () => {
  it('a successful DELETE of a tag drops every Accept variant of it, and nothing else', async () => {
    t.registry.push('v1', v1);
    await t.ask('v1');
    await t.ask('v1', { headers: { Accept: OCI } });
    t.registry.override = (call) => (call.method === 'DELETE' ? new Response(null, { status: 202 }) : undefined);
    const r = await t.write('v1', 'DELETE');
    expect(r.status).toBe(202);
    expect(t.store.tags.size).toBe(0);
    expect(t.store.manifests.size).toBe(1);
  });

  it('a successful DELETE of a digest drops the manifest and its tags', async () => {
    t.registry.push('v1', v1);
    await t.ask('v1');
    t.registry.override = (call) => (call.method === 'DELETE' ? new Response(null, { status: 202 }) : undefined);
    await t.write(v1.digest, 'DELETE');
    expect(t.store.tags.size + t.store.manifests.size).toBe(0);
  });

  it('a refused write drops nothing', async () => {
    t.registry.push('v1', v1);
    await t.ask('v1');
    t.registry.override = (call) => (call.method === 'DELETE' ? new Response(null, { status: 401 }) : undefined);
    expect((await t.write('v1', 'DELETE')).status).toBe(401);
    expect(t.store.tags.size + t.store.manifests.size).toBe(2);
  });
});

describe('statistics', () => {
  it('count what happened, as the page client reports it', async () => {
    t.registry.push('v1', v1);
    await t.ask('v1'); // miss: one GET
    await t.ask('v1'); // re-checked hit: one HEAD
    await t.ask(v1.digest); // hit
    t.registry.override = () => {
      throw new TypeError('Failed to fetch');
    };
    await t.ask('v1'); // stale
    expect(t.counts).toEqual({
      requests: 4,
      hits: 2,
      misses: 1,
      stale: 1,
      rechecks: 2,
      upstreamGets: 1,
      upstreamHeads: 2,
      bytesPulled: v1.body.byteLength,
      bytesServed: 4 * v1.body.byteLength,
    });
  });

  // Counted from the final answer: a hit (fresh or revalidated), a stale hit, or forwarded.
  it('a moved tag, a refusal and an invalid body count as misses; a wait regcache answers itself does not', async () => {
    t.registry.push('v1', v1);
    await t.ask('v1');
    t.registry.push('v1', v2);
    await t.ask('v1'); // moved: fetched by digest
    t.registry.override = () => new Response(v1.body.slice(), { headers: { 'Content-Type': OCI, 'Docker-Content-Digest': v2.digest } });
    await t.ask('v2'); // DIGEST_INVALID
    t.registry.override = () => new Response(null, { status: 401 });
    await t.ask('v3', { method: 'HEAD' }); // refused
    expect(t.counts).toMatchObject({ requests: 4, misses: 4, verificationFailures: 1 });
    expect(t.counts.hits).toBeUndefined();
  });

  it('a private record behind a running Retry-After: neither hit nor miss', async () => {
    t.registry.privateRepo = true;
    t.registry.push('v1', v1);
    const auth = { headers: { Authorization: 'Bearer secret' } };
    await t.ask('v1', auth);
    t.registry.override = () => new Response(null, { status: 429, headers: { 'Retry-After': '30' } });
    await t.ask('v1', auth);
    const before = { ...t.counts };
    expect((await t.ask('v1', auth)).cacheStatus).toBe('regcache; detail=retry-after');
    expect(t.counts).toEqual({ ...before, requests: before.requests! + 1 });
  });
});

describe('stale-while-revalidate (swr)', () => {
  const SWR = 300;
  const GATED = `regcache; hit; fwd-status=429; ttl=${TTL}; detail=stale`;
  const swrStatus = (ttl: number) => `regcache; hit; ttl=${ttl}; detail=stale-while-revalidate`;

  // A tag stored at the start, then `ms` later.
  async function storedThen(ms: number, config: Partial<RegcacheConfig> = { swr: SWR }) {
    t = setup(config);
    t.registry.push('v1', v1);
    await t.ask('v1');
    t.registry.take();
    t.advance(ms);
  }

  it('within swr: the stored answer at once, then one HEAD in the background that extends it', async () => {
    await storedThen(100_000);
    const r = await t.ask('v1');
    expect(r.body).toEqual(v1.body);
    expect(r.cacheStatus).toBe(swrStatus(TTL - 100));
    expect(await t.settle()).toBe(1);
    expect(t.registry.take()).toEqual(['HEAD v1']);
    expect([...t.store.tags.values()].map((tag) => tag.expiresAt)).toEqual([1_700_000_100_000 + TTL * 1000]);
    expect(t.events).toEqual([]);
  });

  it('answers before a hanging re-check is released (ordering, not timing)', async () => {
    await storedThen(1_000);
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const order: string[] = [];
    t.registry.override = async (call) => {
      if (call.method !== 'HEAD') return undefined;
      await held;
      order.push('upstream answered');
      return undefined;
    };
    const r = await t.ask('v1');
    order.push('page answered');
    expect(r.cacheStatus).toBe(swrStatus(TTL - 1));
    release();
    await t.settle();
    expect(order).toEqual(['page answered', 'upstream answered']);
  });

  it('a moved tag is fetched, stored, then told; the next request gets the new digest', async () => {
    await storedThen(1_000);
    t.registry.push('v1', v2);
    expect((await t.ask('v1')).body).toEqual(v1.body);
    await t.settle();
    expect(t.registry.take()).toEqual(['HEAD v1', `GET ${v2.digest}`]);
    const from = v1.digest;
    const to = v2.digest;
    // Sent once the store held the new digest.
    expect(t.events).toEqual([
      { event: { type: 'tag-moved', upstream: REGISTRY, repository: REPO, tag: 'v1', from, to }, stored: [`v1@${to}`] },
    ]);
    const next = await t.ask('v1');
    expect(next.body).toEqual(v2.body);
    expect(next.cacheStatus).toBe(swrStatus(TTL));
  });

  it('moved, then moved back: two events, and the way back needs no GET', async () => {
    await storedThen(1_000);
    t.registry.push('v1', v2);
    await t.ask('v1');
    await t.settle();
    t.registry.push('v1', v1);
    t.registry.take();
    expect((await t.ask('v1')).body).toEqual(v2.body);
    await t.settle();
    expect(t.registry.take()).toEqual(['HEAD v1']);
    expect(t.events.map(({ event }) => event.type === 'tag-moved' && `${event.from}>${event.to}`)).toEqual([
      `${v1.digest}>${v2.digest}`,
      `${v2.digest}>${v1.digest}`,
    ]);
    expect((await t.ask('v1')).body).toEqual(v1.body);
  });

  it('a 404 drops only that Accept variant, and says so', async () => {
    await storedThen(0);
    await t.ask('v1', { headers: { Accept: OCI } });
    t.registry.tags.delete('v1');
    t.registry.take();
    const r = await t.ask('v1', { headers: { Accept: OCI } });
    expect(r.status).toBe(200);
    await t.settle();
    expect([...t.store.tags.values()].map((tag) => tag.accept)).toEqual([acceptKey(parseAccept(ACCEPT))]);
    expect(t.events.map(({ event }) => event)).toEqual([
      { type: 'tag-dropped', upstream: REGISTRY, repository: REPO, tag: 'v1', accept: OCI },
    ]);
    // That variant is asked upstream next time; the other is still served at once.
    expect((await t.ask('v1', { headers: { Accept: OCI } })).status).toBe(404);
    expect((await t.ask('v1')).cacheStatus).toBe(swrStatus(TTL));
  });

  it('variant A, then B: each Accept set has its own background check', async () => {
    await storedThen(0);
    await t.ask('v1', { headers: { Accept: OCI } });
    t.registry.take();
    t.registry.push('v1', v2);
    await Promise.all([t.ask('v1'), t.ask('v1', { headers: { Accept: OCI } })]);
    expect(await t.settle()).toBe(2);
    expect(t.registry.take().filter((c) => c.startsWith('HEAD'))).toEqual(['HEAD v1', 'HEAD v1']);
    expect(t.store.tagDigests()).toEqual([`v1@${v2.digest}`, `v1@${v2.digest}`]);
  });

  it('a HEAD of a moved tag spends no GET: the variant is dropped and the move told', async () => {
    await storedThen(1_000);
    t.registry.push('v1', v2);
    const r = await t.ask('v1', { method: 'HEAD' });
    expect(r.headers.get('Docker-Content-Digest')).toBe(v1.digest);
    await t.settle();
    expect(t.registry.take()).toEqual(['HEAD v1']);
    expect(t.store.tags.size).toBe(0);
    expect(t.events.map(({ event }) => event.type === 'tag-moved' && event.to)).toEqual([v2.digest]);
    expect((await t.ask('v1')).body).toEqual(v2.body);
  });

  it('concurrent requests share one background check', async () => {
    await storedThen(1_000);
    const answers = await Promise.all([t.ask('v1'), t.ask('v1'), t.ask('v1', { method: 'HEAD' })]);
    expect(answers.map((a) => a.cacheStatus)).toEqual([swrStatus(TTL - 1), swrStatus(TTL - 1), swrStatus(TTL - 1)]);
    await t.settle();
    expect(t.registry.take()).toEqual(['HEAD v1']);
  });

  it('inside fresh nothing is asked; after fresh, within swr, a background check; after both, today’s re-check', async () => {
    await storedThen(30_000, { fresh: 60, swr: 60 });
    expect((await t.ask('v1')).cacheStatus).toBe(`regcache; hit; ttl=${TTL - 30}`);
    expect(await t.settle()).toBe(0);
    t.advance(60_000); // 90 s: past fresh, within fresh + swr
    expect((await t.ask('v1')).cacheStatus).toBe(swrStatus(TTL - 90));
    await t.settle();
    expect(t.registry.take()).toEqual(['HEAD v1']);
    t.advance(121_000); // 121 s after that confirmation: past both
    expect((await t.ask('v1')).cacheStatus).toBe(`regcache; hit; ttl=${TTL}; detail=revalidated`);
    expect(await t.settle()).toBe(0);
    expect(t.registry.take()).toEqual(['HEAD v1']);
  });

  it('swr=0 behaves as today: the re-check answers first', async () => {
    await storedThen(1_000, {});
    t.registry.push('v1', v2);
    const r = await t.ask('v1');
    expect(r.body).toEqual(v2.body);
    expect(r.cacheStatus).toBe(`regcache; fwd=stale; stored; ttl=${TTL}`);
    expect(await t.settle()).toBe(0);
  });

  it('while the browser says it is offline, no background check: today’s answer', async () => {
    await storedThen(1_000);
    vi.stubGlobal('navigator', { onLine: false });
    t.registry.override = () => {
      throw new TypeError('Failed to fetch');
    };
    const r = await t.ask('v1');
    expect(r.cacheStatus).toBe(`regcache; hit; ttl=${TTL - 1}; detail=stale`);
    expect(await t.settle()).toBe(0);
  });

  it('Cache-Control: no-cache skips swr too', async () => {
    await storedThen(1_000);
    const r = await t.ask('v1', { headers: { 'Cache-Control': 'no-cache' } });
    expect(r.cacheStatus).toBe(`regcache; hit; ttl=${TTL}; detail=revalidated`);
    expect(await t.settle()).toBe(0);
  });

  it('a private record is never served before its HEAD succeeded', async () => {
    t = setup({ swr: SWR });
    t.registry.privateRepo = true;
    t.registry.push('v1', v1);
    await t.ask('v1', { headers: { Authorization: 'Bearer secret' } });
    t.registry.take();
    t.advance(1_000);
    const refused = await t.ask('v1');
    expect(refused.status).toBe(401);
    const served = await t.ask('v1', { headers: { Authorization: 'Bearer secret' } });
    expect(served.cacheStatus).toBe(`regcache; hit; ttl=${TTL}; detail=revalidated`);
    expect(await t.settle()).toBe(0);
    expect(t.registry.take()).toEqual(['HEAD v1', 'GET v1', 'HEAD v1']);
  });

  it('a 429 in the background gates later checks: served stale without asking until Retry-After passed', async () => {
    await storedThen(1_000);
    t.registry.override = () => new Response(null, { status: 429, headers: { 'Retry-After': '30' } });
    expect((await t.ask('v1')).cacheStatus).toBe(swrStatus(TTL - 1));
    await t.settle();
    expect(t.registry.take()).toEqual(['HEAD v1']);
    // The gate is the origin's: another tag of it is not asked either.
    expect((await t.ask('v1')).cacheStatus).toBe(GATED.replace(`ttl=${TTL}`, `ttl=${TTL - 1}`));
    expect(await t.settle()).toBe(0);
    expect(t.registry.take()).toEqual([]);
    t.advance(31_000);
    t.registry.override = null;
    expect((await t.ask('v1')).cacheStatus).toBe(swrStatus(TTL - 32));
    await t.settle();
    expect(t.registry.take()).toEqual(['HEAD v1']);
  });

  // The background check waits for a quiet worker. Ordered by a fake clock: which request
  // went upstream before which, not how long anything took.
  describe('the background check waits for a quiet worker', () => {
    const heads = () => t.registry.take().filter((c) => c.startsWith('HEAD'));
    const fake = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });

    it('no HEAD while requests keep arriving; one, shared, once they stop', async () => {
      await storedThen(1_000);
      t.registry.push('other', v2);
      await t.ask('other', { headers: { 'Cache-Control': 'no-cache' } });
      t.registry.take();
      fake();
      expect((await t.ask('v1')).cacheStatus).toBe(swrStatus(TTL - 1));
      // A sequence of answers, 10 ms apart, longer in all than the quiet wait: none waits on
      // the check, and the check waits for all of them.
      for (let i = 0; i < 6; i++) {
        await vi.advanceTimersByTimeAsync(10);
        expect(heads()).toEqual([]);
        await t.ask(i % 2 ? 'v1' : v2.digest);
      }
      await vi.advanceTimersByTimeAsync(100);
      expect(heads()).toEqual(['HEAD v1']);
      expect(await t.settle()).toBe(4);
    });

    it('a request served while the check waits shares it, and the check sees a move made before that request', async () => {
      await storedThen(1_000);
      fake();
      expect((await t.ask('v1')).body).toEqual(v1.body);
      t.registry.push('v1', v2);
      expect((await t.ask('v1')).body).toEqual(v1.body);
      await vi.advanceTimersByTimeAsync(100);
      await t.settle();
      expect(t.registry.take()).toEqual(['HEAD v1', `GET ${v2.digest}`]);
      expect(t.events.map(({ event }) => event.type === 'tag-moved' && event.to)).toEqual([v2.digest]);
      expect((await t.ask('v1')).body).toEqual(v2.body);
    });

    it('a tag purged while its check waits is neither checked nor fetched again', async () => {
      await storedThen(1_000);
      fake();
      expect((await t.ask('v1')).cacheStatus).toBe(swrStatus(TTL - 1));
      await t.store.dropTagVariants(REGISTRY, REPO, 'v1');
      await vi.advanceTimersByTimeAsync(100);
      await t.settle();
      expect(t.registry.take()).toEqual([]);
      expect(t.store.tags.size).toBe(0);
      expect(t.events).toEqual([]);
    });

    // Once its HEAD is out, the check goes on; what it would store over a tag dropped
    // meanwhile is not stored, whether the tag moved to new content or to stored content.
    for (const [moveTo, calls] of [
      ['new content', ['HEAD v1', 'GET v2']],
      ['stored content', ['HEAD v1']],
    ] as const) {
      it(`a tag purged while its HEAD is out stays purged (moved to ${moveTo})`, async () => {
        await storedThen(1_000);
        if (moveTo === 'stored content') {
          t.registry.push('other', v2);
          await t.ask('other');
          t.registry.take();
        }
        let release = () => {};
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        let out = () => {};
        const sent = new Promise<void>((resolve) => {
          out = resolve;
        });
        t.registry.override = async (call) => {
          if (call.method !== 'HEAD') return undefined;
          out();
          await held;
          return undefined;
        };
        t.registry.push('v1', v2);
        expect((await t.ask('v1')).body).toEqual(v1.body);
        await sent;
        await t.store.dropTagVariants(REGISTRY, REPO, 'v1');
        release();
        await t.settle();
        expect(t.registry.take().map((c) => c.replace(v2.digest, 'v2'))).toEqual(calls);
        expect(t.store.tagDigests().filter((d) => d.startsWith('v1@'))).toEqual([]);
      });
    }

    it('a steady stream of requests delays the check, but does not starve it', async () => {
      await storedThen(1_000);
      fake();
      await t.ask('v1');
      // Up to two seconds of requests 10 ms apart: the check goes out while they still
      // arrive, though not among the first ones.
      let sentAfter = -1;
      for (let i = 0; i < 200 && sentAfter < 0; i++) {
        await vi.advanceTimersByTimeAsync(10);
        if (heads().length) sentAfter = i;
        else await t.ask(v1.digest);
      }
      expect(sentAfter).toBeGreaterThan(5);
      await t.settle();
    });
  });

  it('counts an answer served this way as a hit, its HEAD as a re-check', async () => {
    await storedThen(1_000);
    const before = { ...t.counts };
    await t.ask('v1');
    await t.settle();
    const delta = Object.fromEntries(
      Object.entries(t.counts)
        .map(([k, n]) => [k, n - (before[k] ?? 0)])
        .filter(([, n]) => n !== 0),
    );
    expect(delta).toEqual({ requests: 1, hits: 1, rechecks: 1, upstreamHeads: 1, bytesServed: v1.body.byteLength });
  });
});
