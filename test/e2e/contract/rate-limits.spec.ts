// A 429 spares upstream, but it never unlocks a private record: only a request upstream
// accepts gets one while upstream can be reached, and a 429 (this request's or another's)
// is an answer, not an unreachable upstream.
import { ACCEPT_ALL, sha256 } from '../../servers/images.js';
import { push, test, tokenFor } from '../support/auth-env.js';
import { bodyOf, expect, ok, uniqueRepo } from '../support/fixtures.js';
import { waitFor } from '../support/store-helpers.js';

const as = (token: string | null) => ({ headers: { Accept: ACCEPT_ALL, ...(token ? { Authorization: `Bearer ${token}` } : {}) } });
// The cap on Retry-After (src/sw/upstream/upstream.ts), in seconds.
const CAP_SECONDS = 600;

test('a 429 on another repository never serves a private record to a request without the right token', async ({ auth, regcache }) => {
  const secret = uniqueRepo('ratelimit/secret');
  const other = uniqueRepo('ratelimit/other');
  const img = await push(auth, secret, 'v1', 'secret');
  await push(auth, other, 'v1', 'other');
  const page = await regcache.open({ upstream: auth.proxy.url });
  const url = (repo: string, ref: string) => `${auth.proxy.url}/v2/${repo}/manifests/${ref}`;
  const secretToken = await tokenFor(page, auth.tokens, secret);
  const otherToken = await tokenFor(page, auth.tokens, other);

  // Stored with a valid token, so private.
  expect(ok(await regcache.fetchIn(page, url(secret, img.digest), as(secretToken))).headers['cache-status']).toContain('stored');
  expect(ok(await regcache.fetchIn(page, url(other, 'v1'), as(otherToken))).status).toBe(200);

  // Another repository's re-check meets a 429 asking for a wait far past the cap.
  auth.proxy.addFault({ method: 'HEAD', path: `/v2/${other}/manifests/v1`, retryAfter: 100_000, times: 1 });
  const limited = ok(await regcache.fetchIn(page, url(other, 'v1'), as(otherToken)));
  expect(limited.status).toBe(429);
  expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(CAP_SECONDS);
  expect(limited.text).toContain('TOOMANYREQUESTS');

  // While the gate holds: no re-check goes upstream, and nobody gets the private record.
  auth.proxy.reset();
  for (const token of [null, 'not-a-token', otherToken, secretToken]) {
    for (const method of ['GET', 'HEAD']) {
      const r = ok(await regcache.fetchIn(page, url(secret, img.digest), { method, ...as(token) }));
      expect(r.status, `${method} with ${token === null ? 'no token' : 'a token'}`).toBe(429);
      expect(r.headers['cache-status']).toBe('regcache; detail=retry-after');
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(r.headers['retry-after'])).toBeLessThanOrEqual(CAP_SECONDS);
      if (method === 'GET') expect(r.text).not.toContain(img.body.toString('utf8').slice(0, 40));
    }
  }
  expect(auth.proxy.count()).toBe(0);
});

test('a private record is served stale only when upstream is unreachable, never on its own 429 or 5xx', async ({ auth, regcache }) => {
  const secret = uniqueRepo('ratelimit/own');
  const img = await push(auth, secret, 'v1', 'own');
  const page = await regcache.open({ upstream: auth.proxy.url });
  const url = `${auth.proxy.url}/v2/${secret}/manifests/${img.digest}`;
  const token = await tokenFor(page, auth.tokens, secret);
  expect(ok(await regcache.fetchIn(page, url, as(token))).headers['cache-status']).toContain('stored');

  // A 503 to the re-check: the page gets upstream's 503, not the stored bytes.
  auth.proxy.addFault({ path: `/v2/${secret}/manifests/`, status: 503, body: '{"errors":[{"code":"UNAVAILABLE"}]}' });
  const unavailable = ok(await regcache.fetchIn(page, url, as(null)));
  expect(unavailable.status).toBe(503);
  expect(unavailable.text).toContain('UNAVAILABLE');
  auth.proxy.clearFaults();

  // Its own 429 with a wait of a second in the HTTP-date form: refused while it holds...
  const soon = new Date(Date.now() + 2_000).toUTCString();
  auth.proxy.addFault({ method: 'HEAD', path: `/v2/${secret}/manifests/`, status: 429, headers: { 'Retry-After': soon }, times: 1 });
  expect(ok(await regcache.fetchIn(page, url, as(null))).status).toBe(429);
  // ...and once it has passed, upstream is asked again and its refusal reaches the page.
  const recovered = await waitFor(
    async () => ok(await regcache.fetchIn(page, url, as(null))),
    (r) => r.status !== 429,
    15_000,
  );
  expect(recovered.status).toBe(401);
  expect(recovered.headers['www-authenticate']).toContain('Bearer');
  // The right token is served again.
  const served = ok(await regcache.fetchIn(page, url, as(token)));
  expect(served.status).toBe(200);
  expect(sha256(bodyOf(served))).toBe(img.digest);

  // With upstream cut off, the stored record is served stale (the documented rule).
  auth.proxy.offline(true);
  const stale = ok(await regcache.fetchIn(page, url, as(null)));
  expect(stale.status).toBe(200);
  expect(stale.headers['cache-status']).toMatch(/^regcache; hit;.*detail=stale/);
});
