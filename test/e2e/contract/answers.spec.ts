// Identical answers: whatever regcache serves (miss or hit) is what upstream itself says.
import { ACCEPT_ALL, ACCEPT_DOCKER, ACCEPT_OCI, type ImageKind, pushImage } from '../../servers/images.js';
import {
  bodyOf,
  direct,
  type Env,
  expect,
  type FetchInit,
  type FetchOk,
  ok,
  type Regcache,
  test,
  uniqueRepo,
} from '../support/fixtures.js';

const ACCEPTS = { ACCEPT_ALL, ACCEPT_OCI, ACCEPT_DOCKER } as const;
type AcceptName = keyof typeof ACCEPTS;

const SCHEMA1 = ['application/vnd.docker.distribution.manifest.v1+prettyjws', 'application/vnd.docker.distribution.manifest.v1+json'];

// What the contract says a served answer shares with upstream's.
const COMPARED = ['content-type', 'content-length', 'docker-content-digest', 'etag', 'docker-distribution-api-version'] as const;

function full(r: FetchOk) {
  return { status: r.status, body: r.body, ...Object.fromEntries(COMPARED.map((h) => [h, r.headers[h]])) };
}

// distribution signs each schema-1 conversion anew, so its body (and so its bytes) change
// per answer; the digest is computed over the payload without signatures and stays put.
function stable(r: FetchOk) {
  return { status: r.status, 'content-type': r.headers['content-type'], 'docker-content-digest': r.headers['docker-content-digest'] };
}

// RFC 9211: a cache name then parameters, each a key or key=value.
function parseCacheStatus(value: string | undefined): { name: string; params: Map<string, string | true> } {
  const [name = '', ...rest] = (value ?? '').split(';').map((p) => p.trim());
  const params = new Map<string, string | true>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) params.set(p, true);
    else params.set(p.slice(0, eq), p.slice(eq + 1));
  }
  return { name, params };
}

function listed(accept: string, contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim();
  return accept.split(',').some((t) => t.trim() === type);
}

// What distribution 2.8 does with each image, reference and Accept set, and so what
// regcache must do: 'hit' (stored, then served), 'schema1' (converted to signed schema 1:
// passed through, never stored), '404' (a type the Accept set lacks: passed through) and
// 'vary-miss' (distribution serves a stored manifest by digest whatever the Accept, but
// regcache serves only listed types, so it asks upstream each time).
type Case = 'hit' | 'schema1' | '404' | 'vary-miss';
type ByAccept = Record<AcceptName, Case>;
const CASES: Record<ImageKind, { tag: ByAccept; digest: ByAccept }> = {
  oci: {
    tag: { ACCEPT_ALL: 'hit', ACCEPT_OCI: 'hit', ACCEPT_DOCKER: '404' },
    digest: { ACCEPT_ALL: 'hit', ACCEPT_OCI: 'hit', ACCEPT_DOCKER: '404' },
  },
  docker: {
    tag: { ACCEPT_ALL: 'hit', ACCEPT_OCI: 'schema1', ACCEPT_DOCKER: 'hit' },
    digest: { ACCEPT_ALL: 'hit', ACCEPT_OCI: 'vary-miss', ACCEPT_DOCKER: 'hit' },
  },
  'oci-index': {
    tag: { ACCEPT_ALL: 'hit', ACCEPT_OCI: '404', ACCEPT_DOCKER: '404' },
    digest: { ACCEPT_ALL: 'hit', ACCEPT_OCI: '404', ACCEPT_DOCKER: '404' },
  },
  'docker-list': {
    tag: { ACCEPT_ALL: 'hit', ACCEPT_OCI: 'schema1', ACCEPT_DOCKER: 'hit' },
    digest: { ACCEPT_ALL: 'hit', ACCEPT_OCI: 'vary-miss', ACCEPT_DOCKER: 'hit' },
  },
};

function caseOf(up: FetchOk, accept: string): Case {
  if (up.status === 404) return '404';
  if (up.status !== 200) throw new Error(`unexpected upstream status ${up.status}: ${up.text}`);
  if (SCHEMA1.includes(up.headers['content-type'] ?? '')) return 'schema1';
  return listed(accept, up.headers['content-type']) ? 'hit' : 'vary-miss';
}

async function checkKind(kind: ImageKind, env: Env, regcache: Regcache): Promise<void> {
  const page = await regcache.open();

  for (const by of ['tag', 'digest'] as const) {
    for (const acceptName of Object.keys(ACCEPTS) as AcceptName[]) {
      const accept = ACCEPTS[acceptName];
      const expected = CASES[kind][by][acceptName];
      // A repository per combination, so each sequence starts with nothing stored
      // (by digest, records are shared by every Accept set).
      const repo = uniqueRepo(`answers/${kind}`);
      const img = await pushImage(env.registry.url, repo, 'v1', kind);
      const path = `/v2/${repo}/manifests/${by === 'tag' ? img.tag : img.digest}`;
      const what = `${kind} by ${by}, ${acceptName}`;
      const get: FetchInit = { headers: { Accept: accept } };
      const head: FetchInit = { method: 'HEAD', headers: { Accept: accept } };
      const gets = () => env.proxy.count({ method: 'GET', path });
      const all = () => env.proxy.count({ path });
      // Through regcache (the page, to the proxy) and straight from the registry, back to back.
      const both = async (init: FetchInit, label: string) => ({
        through: ok(await regcache.fetchIn(page, `${env.proxy.url}${path}`, init), `${what}, ${label} through regcache`),
        up: ok(await direct(`${env.registry.url}${path}`, init), `${what}, ${label} direct`),
      });

      // HEAD first: nothing is stored, so it is a miss.
      const headMiss = await both(head, 'first HEAD');
      const cs0 = parseCacheStatus(headMiss.through.headers['cache-status']);
      expect(cs0.name, `${what}, first HEAD Cache-Status`).toBe('regcache');
      expect(cs0.params.get('fwd'), `${what}, first HEAD Cache-Status`).toBe('miss');
      expect(cs0.params.has('hit')).toBe(false);
      expect(headMiss.through.body, `${what}, first HEAD has no body`).toBe('');

      const getMiss = await both(get, 'first GET');
      expect(caseOf(getMiss.up, accept), `${what}: what distribution answers`).toBe(expected);
      const storable = expected === 'hit' || expected === 'vary-miss';
      const cs1 = parseCacheStatus(getMiss.through.headers['cache-status']);
      expect(cs1.name, `${what}, first GET Cache-Status`).toBe('regcache');
      expect(cs1.params.get('fwd'), `${what}, first GET Cache-Status`).toBe('miss');
      expect(cs1.params.has('hit')).toBe(false);
      expect(cs1.params.has('stored'), `${what}, first GET stored`).toBe(storable);
      if (!storable) expect(cs1.params.get('fwd-status')).toBe(String(getMiss.up.status));

      const getsBefore = gets();
      const allBefore = all();
      const getHit = await both(get, 'second GET');
      const getsDuring = gets() - getsBefore;
      const allDuring = all() - allBefore;
      const cs2 = parseCacheStatus(getHit.through.headers['cache-status']);
      const headHit = await both(head, 'second HEAD');
      const cs3 = parseCacheStatus(headHit.through.headers['cache-status']);
      const answers = { 'first HEAD': headMiss, 'first GET': getMiss, 'second GET': getHit, 'second HEAD': headHit };

      if (expected === 'schema1') {
        for (const [label, p] of Object.entries(answers)) {
          expect(stable(p.through), `${what}, ${label}`).toEqual(stable(p.up));
        }
        expect(getHit.through.headers['docker-content-digest']).toBe(getMiss.through.headers['docker-content-digest']);
        expect(getMiss.through.headers['docker-content-digest']).not.toBe(img.digest);
        // The signed body reaches the page untouched: it parses and carries its signatures.
        expect(JSON.parse(getHit.through.text)).toHaveProperty('signatures');
        // Passed through and not stored: the second GET is no hit and went upstream again.
        expect(cs2.params.get('fwd'), `${what}, second GET Cache-Status`).toBe('miss');
        expect(cs2.params.has('hit')).toBe(false);
        expect(cs2.params.has('stored')).toBe(false);
        expect(cs3.params.has('hit')).toBe(false);
        expect(getsDuring, `${what}: GETs upstream for the second GET`).toBe(1);
        continue;
      }

      for (const [label, p] of Object.entries(answers)) {
        expect(full(p.through), `${what}, ${label}`).toEqual(full(p.up));
      }

      if (expected === '404') {
        expect(JSON.parse(getHit.through.text)).toMatchObject({ errors: [{ code: 'MANIFEST_UNKNOWN' }] });
        for (const cs of [cs2, cs3]) {
          expect(cs.params.get('fwd'), `${what}, second answers' Cache-Status`).toBe('miss');
          expect(cs.params.get('fwd-status')).toBe('404');
          expect(cs.params.has('hit') || cs.params.has('stored')).toBe(false);
        }
        expect(getsDuring, `${what}: GETs upstream for the second GET`).toBe(1);
        continue;
      }

      expect(bodyOf(getHit.through).equals(img.body), `${what}: body is the pushed manifest`).toBe(true);
      // A HEAD carries exactly the GET's headers.
      for (const h of COMPARED) expect(headHit.through.headers[h], `${what}, HEAD vs GET ${h}`).toBe(getHit.through.headers[h]);

      if (expected === 'hit') {
        expect(getHit.through.headers['cache-status'], `${what}, second GET Cache-Status`).toMatch(/^regcache; hit/);
        expect(headHit.through.headers['cache-status'], `${what}, second HEAD Cache-Status`).toMatch(/^regcache; hit/);
        expect(getsDuring, `${what}: GETs upstream for the hit`).toBe(0);
        // By digest a hit costs no upstream request at all; by tag, one HEAD re-check.
        expect(allDuring, `${what}: upstream requests for the hit`).toBe(by === 'digest' ? 0 : 1);
      } else {
        for (const cs of [cs2, cs3]) {
          expect(cs.params.get('fwd'), `${what}, second answers' Cache-Status`).toBe('vary-miss');
          expect(cs.params.has('hit')).toBe(false);
        }
        expect(getsDuring, `${what}: GETs upstream for the second GET`).toBe(1);
      }
    }
  }
}

test.describe('identical answers, miss and hit, tag and digest, GET and HEAD, three Accept sets', () => {
  for (const kind of ['oci', 'docker', 'oci-index', 'docker-list'] as const) {
    test(kind, async ({ env, regcache }) => {
      await checkKind(kind, env, regcache);
    });
  }
});

test('If-None-Match equal to the stored Etag gives 304, GET and HEAD, like upstream', async ({ env, regcache }) => {
  const repo = uniqueRepo('answers/inm');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open();

  for (const ref of [img.tag, img.digest]) {
    const path = `/v2/${repo}/manifests/${ref}`;
    const first = ok(await regcache.fetchIn(page, `${env.proxy.url}${path}`, { headers: { Accept: ACCEPT_OCI } }), 'first GET');
    expect(first.status).toBe(200);
    const etag = first.headers.etag;
    expect(etag).toBe(`"${img.digest}"`);

    for (const method of ['GET', 'HEAD']) {
      const init = { method, headers: { Accept: ACCEPT_OCI, 'If-None-Match': etag! } };
      const through = ok(await regcache.fetchIn(page, `${env.proxy.url}${path}`, init), `${method} ${ref} If-None-Match`);
      const up = ok(await direct(`${env.registry.url}${path}`, init), `${method} ${ref} If-None-Match direct`);
      expect(up.status).toBe(304);
      expect(through.status, `${method} ${ref}`).toBe(304);
      expect(through.body).toBe('');
      expect(through.headers['cache-status']).toMatch(/^regcache; hit/);
      // RFC 9110 §15.4.5: a 304 carries the Etag a 200 would have.
      expect(through.headers.etag).toBe(etag);
      expect(through.headers['docker-distribution-api-version']).toBe(up.headers['docker-distribution-api-version']);

      // Another entity tag does not match: the full answer.
      const other = { method, headers: { Accept: ACCEPT_OCI, 'If-None-Match': `"sha256:${'0'.repeat(64)}"` } };
      const full200 = ok(await regcache.fetchIn(page, `${env.proxy.url}${path}`, other), `${method} ${ref} other If-None-Match`);
      const up200 = ok(await direct(`${env.registry.url}${path}`, other), `${method} ${ref} other If-None-Match direct`);
      expect(full200.status).toBe(200);
      expect(full(full200)).toEqual(full(up200));
      if (method === 'GET') expect(bodyOf(full200).equals(img.body)).toBe(true);
    }
  }
});
