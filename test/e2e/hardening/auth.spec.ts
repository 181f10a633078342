// Real bearer-token auth: distribution with `auth: token`, whose realm is a token server
// that signs JWTs with a key pair made at setup. The page runs its own token flow.
import type { Page } from '@playwright/test';
import { ACCEPT_ALL, sha256 } from '../../servers/images.js';
import { push, test, tokenFor } from '../support/auth-env.js';
import { direct, expect, ok, uniqueRepo } from '../support/fixtures.js';
import { cs, rawDump, reliability } from '../support/hardening.js';

interface Flow {
  first: { status: number; wwwAuthenticate: string | null; text: string; cacheStatus: string | null };
  token: string;
  retried: { status: number; bodySha256: string; cacheStatus: string | null };
}

// What a registry client does in the page: ask, read the Bearer challenge, fetch a token
// from its realm for its scope, ask again with it.
function tokenFlow(page: Page, url: string, accept: string): Promise<Flow> {
  return page.evaluate(
    async ({ url, accept }) => {
      const first = await fetch(url, { headers: { Accept: accept } });
      const challenge = first.headers.get('WWW-Authenticate');
      const firstText = await first.text();
      const params: Record<string, string> = {};
      for (const m of (challenge ?? '').matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!] = m[2]!;
      if (!challenge?.startsWith('Bearer ') || !params.realm) throw new Error(`no Bearer challenge: ${challenge}`);
      const tokenUrl = new URL(params.realm);
      tokenUrl.searchParams.set('service', params.service ?? '');
      if (params.scope) tokenUrl.searchParams.set('scope', params.scope);
      const { token } = (await (await fetch(tokenUrl)).json()) as { token: string };
      const retried = await fetch(url, { headers: { Accept: accept, Authorization: `Bearer ${token}` } });
      const bytes = await retried.arrayBuffer();
      const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      return {
        first: {
          status: first.status,
          wwwAuthenticate: challenge,
          text: firstText,
          cacheStatus: first.headers.get('Cache-Status'),
        },
        token,
        retried: {
          status: retried.status,
          bodySha256: `sha256:${[...hash].map((b) => b.toString(16).padStart(2, '0')).join('')}`,
          cacheStatus: retried.headers.get('Cache-Status'),
        },
      };
    },
    { url, accept },
  );
}

const all = { Accept: ACCEPT_ALL };

test('the page runs its own token flow through regcache; tokens are never stored', async ({ auth, regcache }) => {
  const repo = uniqueRepo('auth/flow');
  const img = await push(auth, repo, 'v1');
  const page = await regcache.open({ upstream: auth.proxy.url });
  const byTag = `${auth.proxy.url}/v2/${repo}/manifests/v1`;
  const byDigest = `${auth.proxy.url}/v2/${repo}/manifests/${img.digest}`;

  const flow = await tokenFlow(page, byTag, ACCEPT_ALL);
  const upstream = ok(await direct(byTag, { headers: all }));
  expect(upstream.status).toBe(401);
  // The challenge reaches the page exactly as upstream wrote it, so its token flow works.
  expect(flow.first.status).toBe(401);
  expect(flow.first.wwwAuthenticate).toBe(upstream.headers['www-authenticate']);
  expect(flow.first.text).toBe(upstream.text);
  expect(flow.first.cacheStatus).toContain('fwd-status=401');
  expect(auth.tokens.log.at(-1)?.scope).toEqual([`repository:${repo}:pull`]);
  // The retried request succeeds and is stored.
  expect(flow.retried.status).toBe(200);
  expect(flow.retried.bodySha256).toBe(img.digest);
  expect(flow.retried.cacheStatus).toMatch(/^regcache; fwd=miss; stored/);
  reliability(
    'token auth: page without a token',
    `${flow.first.status}, WWW-Authenticate and body identical to upstream's; the page's retry with its token: ${flow.retried.status}, ${cs(flow.retried.cacheStatus)}`,
  );

  // Offline, without any token, the stored manifest is served (by tag and by digest).
  auth.proxy.offline(true);
  const offline = [ok(await regcache.fetchIn(page, byTag, { headers: all })), ok(await regcache.fetchIn(page, byDigest, { headers: all }))];
  for (const r of offline) {
    expect(r.status).toBe(200);
    expect(sha256(Buffer.from(r.body, 'base64'))).toBe(img.digest);
    expect(r.headers['cache-status']).toMatch(/^regcache; hit;.*detail=stale/);
  }
  reliability(
    'token auth: upstream offline, request without a token (tag, digest)',
    `${offline.map((r) => r.status).join(', ')} from the store, ${cs(offline[0]!.headers['cache-status'])}`,
  );

  // No token, no Authorization value, nothing that looks like one, in any record.
  const dump = await rawDump(page);
  expect(dump).toContain(img.digest);
  expect(dump).toContain('"private":true');
  const [header, payload, signature] = flow.token.split('.');
  for (const secret of [flow.token, header!, payload!, signature!, 'Bearer']) {
    expect(dump.includes(secret), `the database holds ${secret.slice(0, 24)}…`).toBe(false);
  }
  expect(dump.toLowerCase()).not.toContain('authorization');
  reliability(
    'token auth: IndexedDB dumped after the flow',
    'the manifest record is marked private; no token, token part, "Bearer" or Authorization value in any record',
  );
});

test('a token for repository A never gets repository B’s stored records while upstream is up', async ({ auth, regcache }) => {
  const repoA = uniqueRepo('auth/a');
  const repoB = uniqueRepo('auth/b');
  const imgA = await push(auth, repoA, 'v1', 'a');
  const imgB = await push(auth, repoB, 'v1', 'b');
  // fresh=30: an accepted HEAD is remembered per upstream, repository and Authorization
  // value; A's token must not ride on what B's token earned.
  const page = await regcache.open({ upstream: auth.proxy.url, fresh: '30' });
  const url = (repo: string, ref: string) => `${auth.proxy.url}/v2/${repo}/manifests/${ref}`;
  const tokenA = await tokenFor(page, auth.tokens, repoA);
  const tokenB = await tokenFor(page, auth.tokens, repoB);
  const as = (token: string | null) => ({ headers: { ...all, ...(token ? { Authorization: `Bearer ${token}` } : {}) } });

  // Both repositories are stored, each fetched with its own token.
  for (const [repo, img, token] of [
    [repoA, imgA, tokenA],
    [repoB, imgB, tokenB],
  ] as const) {
    const r = ok(await regcache.fetchIn(page, url(repo, 'v1'), as(token)));
    expect(r.status).toBe(200);
    expect(r.headers['cache-status']).toContain('stored');
    expect(sha256(Buffer.from(r.body, 'base64'))).toBe(img.digest);
  }
  // B's own token is served B from the store (its acceptance is remembered).
  const own = ok(await regcache.fetchIn(page, url(repoB, imgB.digest), as(tokenB)));
  expect(own.status).toBe(200);
  expect(own.headers['cache-status']).toMatch(/^regcache; hit/);

  // A's token, or none, asking for B: upstream's refusal, never B's stored bytes.
  for (const [who, token] of [
    ['a token for repository A', tokenA],
    ['no token', null],
  ] as const) {
    for (const ref of [imgB.digest, 'v1']) {
      auth.proxy.reset();
      const viaWorker = ok(await regcache.fetchIn(page, url(repoB, ref), as(token)));
      const asked = auth.proxy.log.filter((e) => e.path === `/v2/${repoB}/manifests/${ref}` && e.method !== 'OPTIONS');
      const upstream = ok(await direct(url(repoB, ref), as(token)));
      expect(upstream.status).toBe(401);
      expect(viaWorker.status, `${who}, B by ${ref}`).toBe(upstream.status);
      expect(viaWorker.text).toBe(upstream.text);
      expect(viaWorker.headers['www-authenticate']).toBe(upstream.headers['www-authenticate']);
      expect(viaWorker.text).not.toContain(imgB.body.toString('utf8').slice(0, 40));
      // regcache asked upstream with the request's own credentials before answering.
      expect(asked.map((e) => e.method)).toEqual(['HEAD', 'GET']);
      for (const e of asked) expect(e.headers.authorization ?? null).toBe(token ? `Bearer ${token}` : null);
      reliability(
        `token auth: ${who} asks for stored, private repository B by ${ref.startsWith('sha256:') ? 'digest' : 'tag'}, upstream up`,
        `${viaWorker.status} with upstream's body and WWW-Authenticate (${viaWorker.headers['www-authenticate']?.match(/error="[^"]+"/)?.[0] ?? 'challenge'}); B's record not served`,
      );
    }
  }

  // B's record is still there for B's token.
  const again = ok(await regcache.fetchIn(page, url(repoB, imgB.digest), as(tokenB)));
  expect(again.status).toBe(200);
  expect(sha256(Buffer.from(again.body, 'base64'))).toBe(imgB.digest);

  // When upstream cannot be reached there is nobody to ask: stored records are served
  // as stale, whatever the credentials (the rule in docs/credentials.md).
  auth.proxy.offline(true);
  const offline = ok(await regcache.fetchIn(page, url(repoB, imgB.digest), as(tokenA)));
  expect(offline.status).toBe(200);
  expect(offline.headers['cache-status']).toMatch(/^regcache; hit;.*detail=stale/);
  reliability(
    'token auth: a token for A asks for stored B while upstream is unreachable',
    `${offline.status}, ${cs(offline.headers['cache-status'])}: served stale, as the rule says`,
  );
});

// Concurrent GETs of one digest with different tokens share one upstream GET; each other
// request is authorized by a HEAD with its own token first. A token for another repository
// is refused by that HEAD: its page gets distribution's own refusal, never the body.
test('one pull for many tokens: the others are authorized by their own HEAD, a refused one gets upstream’s refusal', async ({
  auth,
  regcache,
}) => {
  const repo = uniqueRepo('auth/pull');
  const elsewhere = uniqueRepo('auth/elsewhere');
  const img = await push(auth, repo, 'v1');
  const page = await regcache.open({ upstream: auth.proxy.url });
  const url = `${auth.proxy.url}/v2/${repo}/manifests/${img.digest}`;
  const tokens = [
    await tokenFor(page, auth.tokens, repo),
    await tokenFor(page, auth.tokens, repo),
    await tokenFor(page, auth.tokens, elsewhere),
  ];
  expect(new Set(tokens).size).toBe(3);
  const upstream = await direct(url, { headers: { ...all, Authorization: `Bearer ${tokens[2]}` } });
  // The first GET is slowed, so the other requests arrive while it is in flight.
  auth.proxy.addFault({ method: 'GET', path: `/v2/${repo}/manifests/`, delayMs: 1_500, times: 1 });
  auth.proxy.reset();
  const answers = await page.evaluate(
    async ({ url, accept, tokens }) =>
      Promise.all(
        tokens.map(async (token, i) => {
          // In order, so the first token's GET is the one in flight.
          await new Promise((r) => setTimeout(r, i * 200));
          const res = await fetch(url, { headers: { Accept: accept, Authorization: `Bearer ${token}` } });
          return { status: res.status, text: await res.text(), cacheStatus: res.headers.get('Cache-Status') };
        }),
      ),
    { url, accept: ACCEPT_ALL, tokens },
  );
  const [first, second, refused] = answers;
  for (const r of [first!, second!]) {
    expect(r.status).toBe(200);
    expect(sha256(Buffer.from(r.text))).toBe(img.digest);
  }
  expect(second!.cacheStatus).toContain('collapsed');
  // Upstream's refusal, as upstream words it.
  expect(refused!.status).toBe(ok(upstream).status);
  expect(refused!.text).toBe(ok(upstream).text);
  const calls = auth.proxy.log
    .filter((e) => e.path.includes('/manifests/'))
    .map((e) => `${e.method} ${tokens.findIndex((t) => e.headers.authorization === `Bearer ${t}`)} ${e.status}`);
  // One GET that answered the manifest; the refused token's own GET answered its refusal.
  expect(calls.filter((c) => c.startsWith('GET')).sort()).toEqual(['GET 0 200', `GET 2 ${ok(upstream).status}`]);
  expect(calls.filter((c) => c.startsWith('HEAD')).sort()).toEqual(['HEAD -1 401', 'HEAD 1 200', `HEAD 2 ${ok(upstream).status}`]);
  reliability(
    'three tabs, three tokens, one cold digest (one token for another repository)',
    `upstream saw ${calls.filter((c) => c.startsWith('GET') && c.endsWith('200')).length} GET that served the manifest and HEADs for the others; the refused tab got ${refused!.status}, upstream's own answer`,
  );
});
