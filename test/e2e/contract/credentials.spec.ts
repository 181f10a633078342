// Credentials the worker never sees: a session cookie and the browser's own HTTP
// authentication ride along with a request whose credentials mode allows them, so the
// worker cannot tell from the request whether upstream would serve it (CONTRACT 3a). A
// record stored for such a request must not be served to a request upstream refuses.
import type { Page } from '@playwright/test';
import { type CredentialGate, startCredentialGate } from '../../servers/credential-gate.js';
import { ACCEPT_ALL, type PushedImage, pushImage, sha256 } from '../../servers/images.js';
import {
  test as base,
  direct,
  expect,
  type FetchInit,
  type FetchOk,
  fetchIn,
  ok,
  type Regcache,
  registerIn,
  uniqueRepo,
} from '../support/fixtures.js';

interface Gates {
  /** `GET /login` sets the session cookie, `GET /logout` clears it; repositories under open/ need none. */
  cookie: CredentialGate;
  /** HTTP Basic; repositories under open/ need none. */
  basic: CredentialGate;
}

const OPEN = 'open/';

const test = base.extend<{ cleanGates: void }, { gates: Gates }>({
  gates: [
    async ({ env }, use) => {
      const common = { registry: env.registry.url, pages: env.pages.url, corsOrigin: env.pageOrigin, openPrefix: OPEN };
      const cookie = await startCredentialGate({ mode: 'cookie', ...common });
      try {
        const basic = await startCredentialGate({ mode: 'basic', ...common });
        try {
          await use({ cookie, basic });
        } finally {
          await basic.stop();
        }
      } finally {
        await cookie.stop();
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  cleanGates: [
    async ({ gates }, use) => {
      for (const gate of [gates.cookie, gates.basic]) {
        gate.offline(false);
        gate.reset();
      }
      await use();
    },
    { auto: true, box: true },
  ],
});

const all = { Accept: ACCEPT_ALL };

type Where = 'same-origin' | 'cross-origin';

/**
 * A page controlled by the ready-made worker whose upstream is `gate`: on the gate's own
 * origin (the worker's default upstream, no parameter), or on the test page origin.
 */
async function openFor(regcache: Regcache, gate: CredentialGate, where: Where): Promise<Page> {
  if (where === 'cross-origin') return regcache.open({ upstream: gate.url });
  const page = await regcache.blank();
  await page.goto(`${gate.url}/index.html`);
  const reg = await registerIn(page, '/regcache-sw.js');
  if (!reg.ok) throw new Error(`register on ${gate.url} failed: ${reg.name}: ${reg.message}`);
  const controlled = () =>
    page.evaluate(async () => {
      for (let i = 0; i < 100 && !navigator.serviceWorker.controller; i++) await new Promise((r) => setTimeout(r, 20));
      return navigator.serviceWorker.controller !== null;
    });
  if (!(await controlled())) {
    await page.reload();
    if (!(await controlled())) throw new Error(`page on ${gate.url} is not controlled by its worker`);
  }
  return page;
}

async function visit(page: Page, url: string, credentials: RequestCredentials): Promise<void> {
  const r = ok(await fetchIn(page, url, { credentials }), url);
  expect(r.status, `${url}: ${r.text}`).toBe(200);
}

const login = (page: Page, gate: CredentialGate, credentials: RequestCredentials) => visit(page, `${gate.url}/login`, credentials);
const logout = (page: Page, gate: CredentialGate, credentials: RequestCredentials) => visit(page, `${gate.url}/logout`, credentials);

/**
 * Logs in the way a browser does when a user types a password into its prompt: the browser
 * answers the Basic challenge itself (here with the credentials XMLHttpRequest.open was
 * given, not an Authorization header) and remembers them for later requests to the realm.
 * Done from a page on the gate's own origin, as a user logs in on the registry's site:
 * Chromium does not answer a challenge with the credentials of a cross-origin
 * XMLHttpRequest. /v2/ is not a manifest URL, so no worker takes part.
 */
async function browserLogin(regcache: Regcache, page: Page, gate: CredentialGate): Promise<number> {
  let tab = page;
  if (new URL(page.url()).origin !== gate.url) {
    tab = await regcache.blank();
    await tab.goto(`${gate.url}/index.html`);
  }
  return tab.evaluate(
    ({ url, user, password }) =>
      new Promise<number>((resolve) => {
        const xhr = new XMLHttpRequest();
        xhr.open('GET', url, true, user, password);
        xhr.onloadend = () => resolve(xhr.status);
        xhr.send();
      }),
    { url: `${gate.url}/v2/`, user: gate.user, password: gate.password },
  );
}

function digestOf(r: FetchOk): string {
  return sha256(Buffer.from(r.body, 'base64'));
}

/** What `credentials` means for the worker: unset is the page's default, 'same-origin'. */
function withCredentials(credentials: RequestCredentials | undefined, headers: Record<string, string> = {}): FetchInit {
  return { headers: { ...all, ...headers }, ...(credentials ? { credentials } : {}) };
}

/** A stored manifest served: status 200, upstream's bytes, and the Cache-Status `pattern`. */
function expectServed(r: FetchOk, img: PushedImage, pattern: RegExp, what: string): void {
  expect(r.status, `${what}: ${r.text.slice(0, 200)}`).toBe(200);
  expect(digestOf(r), what).toBe(img.digest);
  expect(r.headers['cache-status'], what).toMatch(pattern);
}

/** Upstream's refusal reached the page unchanged: its status, challenge and body, never the stored bytes. */
function expectRefused(r: FetchOk, upstream: FetchOk, img: PushedImage, what: string): void {
  expect(upstream.status, `upstream, ${what}`).toBe(401);
  expect(r.status, `${what} (Cache-Status ${r.headers['cache-status']})`).toBe(upstream.status);
  expect(r.headers['www-authenticate'], what).toBe(upstream.headers['www-authenticate']);
  expect(r.text, what).toBe(upstream.text);
  expect(r.text, what).not.toContain(img.body.toString('utf8').slice(0, 40));
}

/** From the store and not stale: upstream confirmed it (detail=revalidated), or it needed no asking. */
const HIT = /^regcache; hit(?!.*detail=stale)/;
const STALE = /^regcache; hit;.*detail=stale/;

for (const where of ['cross-origin', 'same-origin'] as const) {
  // Cross-origin, a page must ask for cookies ('include'); on its own origin they ride along
  // with the default mode, 'same-origin'.
  const carrying: RequestCredentials | undefined = where === 'cross-origin' ? 'include' : undefined;
  const modeName = carrying ?? 'default (same-origin)';

  test(`cookie session, upstream on ${where === 'same-origin' ? "the page's own origin" : 'another origin'}: after logout the page gets upstream's 401 by digest and by tag`, async ({
    env,
    gates,
    regcache,
  }) => {
    const gate = gates.cookie;
    const repo = uniqueRepo('cred/cookie');
    const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
    const page = await openFor(regcache, gate, where);
    const url = (ref: string) => `${gate.url}/v2/${repo}/manifests/${ref}`;
    const get = async (ref: string, credentials: RequestCredentials | undefined) =>
      ok(await regcache.fetchIn(page, url(ref), withCredentials(credentials)), `${ref} with ${credentials ?? 'default'}`);
    const refs = [img.digest, 'v1'];

    // Logged in: both references are fetched and stored, one upstream GET each.
    await login(page, gate, carrying ?? 'same-origin');
    for (const ref of refs) {
      gate.reset();
      const r = await get(ref, carrying);
      expectServed(r, img, /fwd=miss/, `logged in, ${ref} with ${modeName}`);
      expect(gate.count({ method: 'GET' }), `upstream GETs for the miss of ${ref}`).toBe(1);
      expect(gate.count({ method: 'GET', credentials: 'valid' }), 'the GET carried the session cookie').toBe(1);
      expect(gate.count({ method: 'HEAD' }), `upstream HEADs for the miss of ${ref}`).toBeLessThanOrEqual(1);
    }

    // Logged out: upstream refuses, and so must regcache, whatever the credentials mode.
    await logout(page, gate, carrying ?? 'same-origin');
    for (const ref of refs) {
      const upstream = ok(await direct(url(ref), { headers: all }));
      for (const credentials of [carrying, 'omit'] as const) {
        expectRefused(await get(ref, credentials), upstream, img, `logged out, GET ${ref} with ${credentials ?? 'default'}`);
      }
    }
    const head = ok(await regcache.fetchIn(page, url(img.digest), { ...withCredentials(carrying), method: 'HEAD' }));
    expect(head.status, `logged out, HEAD by digest (Cache-Status ${head.headers['cache-status']})`).toBe(401);
    expect(head.text).toBe('');

    // Logged in again: the stored record is served.
    await login(page, gate, carrying ?? 'same-origin');
    for (const ref of refs) expectServed(await get(ref, carrying), img, HIT, `logged in again, ${ref}`);

    // Upstream cut off: nobody can be asked, so the stored answer is served stale (CONTRACT 3a).
    gate.offline(true);
    for (const ref of refs) {
      for (const credentials of [carrying, 'omit'] as const) {
        expectServed(await get(ref, credentials), img, STALE, `upstream cut off, ${ref} with ${credentials ?? 'default'}`);
      }
    }
  });
}

test('cookie session: login, stored, logout → 401, login → served from the store with one HEAD', async ({ env, gates, regcache }) => {
  const gate = gates.cookie;
  const repo = uniqueRepo('cred/sequence');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await openFor(regcache, gate, 'same-origin');
  // By digest: a tag is re-checked with the page's own credentials anyway (fresh=0).
  const a = `${gate.url}/v2/${repo}/manifests/${img.digest}`;
  const fetchA = async () => ok(await regcache.fetchIn(page, a, { headers: all }), 'A');

  await login(page, gate, 'same-origin');
  expectServed(await fetchA(), img, /fwd=miss; stored/, 'logged in, A');

  await logout(page, gate, 'same-origin');
  gate.reset();
  const upstream = ok(await direct(a, { headers: all }));
  expectRefused(await fetchA(), upstream, img, 'logged out, A');
  // regcache asked upstream with the page's own credentials, that is none after logout.
  expect(gate.count({ credentials: 'valid' }), 'requests that carried the session cookie after logout').toBe(0);

  await login(page, gate, 'same-origin');
  gate.reset();
  expectServed(await fetchA(), img, HIT, 'logged in again, A');
  // Served from the store: upstream only confirmed it, with the session cookie.
  expect(gate.count({ method: 'GET' }), 'upstream GETs for A once logged in again').toBe(0);
  expect(gate.count({ method: 'HEAD', credentials: 'valid' }), 'upstream HEADs with the session cookie').toBe(1);
});

test('fresh window: what a cookie-carrying request earned is not given to a request with credentials omitted', async ({
  env,
  gates,
  regcache,
}) => {
  const gate = gates.cookie;
  const repo = uniqueRepo('cred/fresh');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open({ upstream: gate.url, fresh: '300' });
  const url = (ref: string) => `${gate.url}/v2/${repo}/manifests/${ref}`;

  await login(page, gate, 'include');
  for (const ref of [img.digest, 'v1']) {
    expectServed(ok(await regcache.fetchIn(page, url(ref), withCredentials('include'))), img, /fwd=miss/, `logged in, ${ref}`);
  }
  // Upstream accepts the cookie, and the worker may remember that for `fresh` seconds; a
  // request that carries no cookie is another question, for which upstream says 401.
  expectServed(ok(await regcache.fetchIn(page, url(img.digest), withCredentials('include'))), img, HIT, 'logged in, by digest again');
  for (const ref of [img.digest, 'v1']) {
    const upstream = ok(await direct(url(ref), { headers: all }));
    expectRefused(ok(await regcache.fetchIn(page, url(ref), withCredentials('omit'))), upstream, img, `credentials omitted, ${ref}`);
  }
});

for (const where of ['cross-origin', 'same-origin'] as const) {
  const carrying: RequestCredentials | undefined = where === 'cross-origin' ? 'include' : undefined;

  test(`HTTP Basic authentication by the browser, upstream on ${where === 'same-origin' ? "the page's own origin" : 'another origin'}: no credential or a wrong one gets upstream's 401`, async ({
    env,
    gates,
    regcache,
  }) => {
    const gate = gates.basic;
    const repo = uniqueRepo('cred/basic');
    const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
    const page = await openFor(regcache, gate, where);
    const url = (ref: string) => `${gate.url}/v2/${repo}/manifests/${ref}`;
    const get = async (ref: string, credentials: RequestCredentials | undefined, headers: Record<string, string> = {}) =>
      ok(await regcache.fetchIn(page, url(ref), withCredentials(credentials, headers)), `${ref} with ${credentials ?? 'default'}`);
    const refs = [img.digest, 'v1'];

    expect(await browserLogin(regcache, page, gate), 'the browser logs in to the realm').toBe(200);
    for (const ref of refs) {
      gate.reset();
      expectServed(await get(ref, carrying), img, /fwd=miss/, `logged in, ${ref}`);
      // The page sent no Authorization; the browser added it from what it remembered.
      expect(gate.count({ method: 'GET', credentials: 'valid' }), `upstream GETs with the browser's credentials for ${ref}`).toBe(1);
    }

    const wrong = `Basic ${Buffer.from(`${gate.user}:not-the-password`).toString('base64')}`;
    for (const ref of refs) {
      const none = ok(await direct(url(ref), { headers: all }));
      expectRefused(await get(ref, 'omit'), none, img, `credentials omitted, ${ref}`);
      // A page that sends its own Authorization, a wrong one.
      const refused = ok(await direct(url(ref), { headers: { ...all, Authorization: wrong } }));
      expectRefused(await get(ref, 'omit', { Authorization: wrong }), refused, img, `a wrong Authorization from the page, ${ref}`);
    }
    expect(gate.count({ method: 'GET', credentials: 'invalid' }), 'upstream saw the wrong credential').toBeGreaterThan(0);

    // Still logged in: served.
    for (const ref of refs) expectServed(await get(ref, carrying), img, HIT, `logged in, ${ref} again`);

    gate.offline(true);
    for (const ref of refs) {
      for (const credentials of [carrying, 'omit'] as const) {
        expectServed(await get(ref, credentials), img, STALE, `upstream cut off, ${ref} with ${credentials ?? 'default'}`);
      }
    }
  });
}

test('an anonymous upstream stays zero-request by digest', async ({ env, regcache }) => {
  const repo = uniqueRepo('cred/anonymous');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open();
  const byDigest = `${env.proxy.url}/v2/${repo}/manifests/${img.digest}`;

  // The default mode carries no credentials to another origin: the miss costs one GET, nothing more.
  expectServed(ok(await regcache.fetchIn(page, byDigest, { headers: all })), img, /fwd=miss; stored/, 'miss');
  expect(env.proxy.count({ path: '/manifests/' }), 'upstream requests for the miss').toBe(1);

  env.proxy.reset();
  for (const init of [{ headers: all }, { headers: all, credentials: 'omit' as const }, { headers: all, method: 'HEAD' }]) {
    const r = ok(await regcache.fetchIn(page, byDigest, init));
    expect(r.status).toBe(200);
    expect(r.headers['cache-status']).toMatch(HIT);
  }
  expect(env.proxy.count(), 'upstream requests for the hits').toBe(0);
});

test('a registry that wants a login for some repositories: a logged-in miss on an anonymous one stays zero-request by digest', async ({
  env,
  gates,
  regcache,
}) => {
  const gate = gates.cookie;
  const repo = uniqueRepo(`${OPEN}cred`);
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await openFor(regcache, gate, 'same-origin');
  const byDigest = `${gate.url}/v2/${repo}/manifests/${img.digest}`;

  await login(page, gate, 'same-origin');
  gate.reset();
  expectServed(ok(await regcache.fetchIn(page, byDigest, { headers: all })), img, /fwd=miss; stored/, 'logged in, miss');
  // The cookie rode along; a miss may cost one HEAD besides its GET, never a second GET.
  expect(gate.count({ method: 'GET' }), 'upstream GETs for the miss').toBe(1);
  expect(gate.count({ method: 'HEAD' }), 'upstream HEADs for the miss').toBeLessThanOrEqual(1);

  await logout(page, gate, 'same-origin');
  gate.reset();
  for (const credentials of ['same-origin', 'omit'] as const) {
    expectServed(ok(await regcache.fetchIn(page, byDigest, { headers: all, credentials })), img, HIT, `${credentials}, hit`);
  }
  expect(gate.count({ path: '/manifests/' }), 'upstream requests for the hits').toBe(0);
});
