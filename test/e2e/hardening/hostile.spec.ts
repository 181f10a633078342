// Hostile upstreams, played by the fault proxy: none crashes the worker, none is stored,
// and the page gets either upstream's own answer or a 502 with an OCI error body that
// says what was wrong.
import { ACCEPT_ALL, ACCEPT_OCI, OCI_MANIFEST, type PushedImage, pushImage, sha256 } from '../../servers/images.js';
import { type FaultRule, startProxy, type UpstreamProxy } from '../../servers/proxy.js';
import { direct, expect, isFetchError, ok, test, uniqueRepo } from '../support/fixtures.js';
import { checkStore, cs, probeWorker, reliability } from '../support/hardening.js';

const MiB = 1024 * 1024;
// The worker's timeout in these tests: the trickle below is slower than it.
const TIMEOUT_MS = 1_000;

interface Ctx {
  path: string;
  img: PushedImage;
  /** A server on another origin, with permissive CORS, answering the same path. */
  elsewhere: UpstreamProxy;
}

interface Case {
  fault: string;
  rule: (ctx: Ctx) => FaultRule;
  accept?: string;
  /** 'upstream': the page gets what upstream sent; otherwise a 502 OCI error like this. */
  expect: 'upstream' | { code: string; message: RegExp };
  /** What upstream sent, where Node's own fetch can't be asked (it refuses huge headers). */
  sent?: (ctx: Ctx) => { status: number; body: Buffer; contentType: string };
}

// Cache-Status says `stored` when the answer was stored ("detail=not-stored" when not).
const STORED = /(^|; )stored(;|$)/;

const invalidJson = Buffer.from('{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": {');

const CASES: Case[] = [
  {
    fault: 'invalid JSON labelled as an OCI manifest (its digest header matches it)',
    rule: ({ path }) => ({
      method: 'GET',
      path,
      status: 200,
      headers: { 'Content-Type': OCI_MANIFEST, 'Docker-Content-Digest': sha256(invalidJson) },
      body: invalidJson,
    }),
    expect: 'upstream',
  },
  {
    fault: 'a manifest sent with a non-manifest Content-Type (text/html)',
    rule: ({ path, img }) => ({
      method: 'GET',
      path,
      status: 200,
      headers: { 'Content-Type': 'text/html; charset=utf-8', 'Docker-Content-Digest': img.digest },
      body: img.body,
    }),
    expect: 'upstream',
  },
  {
    fault: 'a 10 MiB manifest',
    rule: ({ path }) => ({ method: 'GET', path, oversizeBytes: 10 * MiB }),
    accept: ACCEPT_OCI,
    expect: 'upstream',
  },
  {
    fault: 'a 40 MiB body',
    rule: ({ path }) => ({
      method: 'GET',
      path,
      status: 200,
      headers: { 'Content-Type': OCI_MANIFEST },
      body: Buffer.alloc(40 * MiB, 0x20),
    }),
    expect: { code: 'MANIFEST_INVALID', message: /over \d+ bytes/ },
  },
  {
    fault: `a body trickling in slower than timeout (64 bytes every ${TIMEOUT_MS * 1.5} ms, timeout=${TIMEOUT_MS})`,
    rule: ({ path }) => ({ method: 'GET', path, trickle: { intervalMs: TIMEOUT_MS * 1.5, chunkBytes: 64 } }),
    expect: { code: 'MANIFEST_INVALID', message: /no body data for \d+ ms/ },
  },
  {
    fault: 'very large header values (a 64 KiB Etag, a 100 KiB extra header)',
    rule: ({ path, img }) => ({
      method: 'GET',
      path,
      status: 200,
      headers: {
        'Content-Type': OCI_MANIFEST,
        'Docker-Content-Digest': img.digest,
        Etag: `"${'e'.repeat(64 * 1024)}"`,
        'X-Filler': 'f'.repeat(100 * 1024),
        'Access-Control-Expose-Headers': 'Docker-Content-Digest, Etag, X-Filler',
      },
      body: img.body,
    }),
    expect: 'upstream',
    sent: ({ img }) => ({ status: 200, body: img.body, contentType: OCI_MANIFEST }),
  },
  {
    fault: 'a 302 redirect to another origin (which serves the manifest, CORS open)',
    rule: ({ path, elsewhere }) => ({ method: 'GET', path, redirect: `${elsewhere.url}${path}` }),
    accept: ACCEPT_OCI,
    expect: 'upstream',
  },
  {
    fault: 'the connection reset after 100 bytes of the body',
    rule: ({ path }) => ({ method: 'GET', path, resetAfterBytes: 100 }),
    expect: { code: 'MANIFEST_INVALID', message: /broke off after \d+ bytes/ },
  },
];

for (const c of CASES) {
  test(`hostile upstream: ${c.fault}`, async ({ env, regcache, browser }) => {
    const repo = uniqueRepo('hostile');
    const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
    const healthy = await pushImage(env.registry.url, repo, 'healthy', 'oci', { salt: 'healthy' });
    const path = `/v2/${repo}/manifests/v1`;
    const url = `${env.proxy.url}${path}`;
    const accept = c.accept ?? ACCEPT_ALL;
    const elsewhere = await startProxy(env.registry.url, { corsOrigin: '*' });
    elsewhere.addFault({
      method: 'GET',
      path,
      status: 200,
      headers: { 'Content-Type': OCI_MANIFEST, 'Docker-Content-Digest': img.digest },
      body: img.body,
    });
    const page = await regcache.open({ timeout: String(TIMEOUT_MS) });
    const probe = await probeWorker(browser, env.pageOrigin);
    try {
      const rule = c.rule({ path, img, elsewhere });
      // Twice for what is compared with upstream: once for the worker, once for Node.
      env.proxy.addFault({ ...rule, times: c.expect === 'upstream' && !c.sent ? 2 : 1 });
      const got = ok(await regcache.fetchIn(page, url, { headers: { Accept: accept }, timeoutMs: 30_000 }));
      expect(got.headers['cache-status']).toMatch(/^regcache; fwd=miss/);
      let outcome: string;
      if (c.expect === 'upstream') {
        const sent = c.sent?.({ path, img, elsewhere });
        const upstream = sent
          ? { status: sent.status, body: sent.body.toString('base64'), contentType: sent.contentType }
          : await direct(url, { headers: { Accept: accept } }).then((r) => ({ ...ok(r), contentType: ok(r).headers['content-type'] }));
        expect(got.status).toBe(upstream.status);
        expect(got.body.length).toBe(upstream.body.length);
        expect(got.body === upstream.body).toBe(true);
        expect(got.headers['content-type']).toBe(upstream.contentType);
        expect(got.headers['cache-status']).not.toMatch(STORED);
        const size = Buffer.from(got.body, 'base64').length;
        outcome = `upstream's ${got.status} passed through (${size < 10_240 ? `${size} bytes` : `${(size / MiB).toFixed(0)} MiB`}, ${cs(got.headers['cache-status'])})`;
      } else {
        expect(got.status).toBe(502);
        const error = (JSON.parse(got.text) as { errors: Array<{ code: string; message: string }> }).errors[0]!;
        expect(error.code).toBe(c.expect.code);
        expect(error.message).toMatch(c.expect.message);
        outcome = `502 ${error.code}: "${error.message.replace(/https?:\/\/[^ ]+/g, '<url>')}"`;
      }

      // Nothing stored: not in the database, and nothing to serve once upstream is gone.
      const store = await checkStore(page);
      expect(store.problems).toEqual([]);
      expect(store.manifests).toBe(0);
      env.proxy.offline(true);
      for (const u of [url, `${env.proxy.url}/v2/${repo}/manifests/${img.digest}`]) {
        const r = await regcache.fetchIn(page, u, { headers: { Accept: accept } });
        expect(isFetchError(r), `served offline: ${u}`).toBe(true);
      }
      env.proxy.offline(false);

      // The worker is still up and well: the next request is fetched, stored and served.
      const after = ok(await regcache.fetchIn(page, `${env.proxy.url}/v2/${repo}/manifests/healthy`, { headers: { Accept: ACCEPT_ALL } }));
      expect(after.status).toBe(200);
      expect(sha256(Buffer.from(after.body, 'base64'))).toBe(healthy.digest);
      expect(after.headers['cache-status']).toMatch(STORED);
      expect(probe.exceptions).toEqual([]);
      reliability(`hostile upstream: ${c.fault}`, `${outcome}; nothing stored; the worker kept serving; no uncaught error`);
    } finally {
      env.proxy.offline(false);
      await elsewhere.stop();
      await probe.stop();
    }
  });
}

test('hostile upstream: a re-check HEAD names a malformed digest that would lead elsewhere', async ({ env, regcache, browser }) => {
  const repo = uniqueRepo('hostile/head');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const other = await pushImage(env.registry.url, repo, 'other', 'oci', { salt: 'other' });
  const path = `/v2/${repo}/manifests/v1`;
  const url = `${env.proxy.url}${path}`;
  const page = await regcache.open();
  const probe = await probeWorker(browser, env.pageOrigin);
  try {
    expect(ok(await regcache.fetchIn(page, url, { headers: { Accept: ACCEPT_ALL } })).headers['cache-status']).toMatch(STORED);
    // As a URL path, `../manifests/other` resolves to another manifest of the repository.
    const named = '../manifests/other';
    env.proxy.addFault({
      method: 'HEAD',
      path,
      times: 1,
      status: 200,
      headers: { 'Content-Type': OCI_MANIFEST, 'Docker-Content-Digest': named, 'Content-Length': String(img.size) },
    });
    const got = ok(await regcache.fetchIn(page, url, { headers: { Accept: ACCEPT_ALL } }));
    expect(got.status).toBe(200);
    // Fetched again by tag: v1's own bytes, and nothing was asked at the path the header named.
    expect(sha256(Buffer.from(got.body, 'base64'))).toBe(img.digest);
    expect(got.headers['cache-status']).toMatch(/^regcache; fwd=stale/);
    expect(env.proxy.count({ method: 'GET', path: `/v2/${repo}/manifests/other` })).toBe(0);
    expect(env.proxy.count({ method: 'GET', path })).toBe(2);
    const store = await checkStore(page);
    expect(store.problems).toEqual([]);
    expect(store.manifests).toBe(1);
    expect(other.digest).not.toBe(img.digest);
    expect(probe.exceptions).toEqual([]);
    reliability(
      'hostile upstream: a re-check HEAD names a malformed digest (a relative path to another manifest)',
      `not used in a URL: the tag was fetched again by tag (${got.status}, ${cs(got.headers['cache-status'])}, its own bytes); no request for the named path; no uncaught error`,
    );
  } finally {
    await probe.stop();
  }
});
