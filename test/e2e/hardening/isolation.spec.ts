// Two upstream origins serve the same repository and tag with different content: their
// answers are never mixed, cold, warm or offline.
import { ACCEPT_ALL, pushImage, sha256 } from '../../servers/images.js';
import { startProxy } from '../../servers/proxy.js';
import { startRegistry } from '../../servers/registry.js';
import { expect, type FetchOk, isFetchError, ok, test, uniqueRepo } from '../support/fixtures.js';
import { checkStore, reliability } from '../support/hardening.js';
import { entries } from '../support/store-helpers.js';

const all = { headers: { Accept: ACCEPT_ALL } };

const digestOf = (r: FetchOk) => sha256(Buffer.from(r.body, 'base64'));

test('two upstreams with the same repository and tag never get each other’s answers', async ({ env, regcache }) => {
  const registryB = await startRegistry({ corsOrigins: [env.pageOrigin] });
  const proxyB = await startProxy(registryB.url, { corsOrigin: env.pageOrigin });
  try {
    const repo = uniqueRepo('isolation');
    const a = await pushImage(env.registry.url, repo, 'latest', 'oci', { salt: 'upstream A' });
    const b = await pushImage(registryB.url, repo, 'latest', 'oci', { salt: 'upstream B' });
    expect(a.digest).not.toBe(b.digest);
    const proxyA = env.proxy;
    const page = await regcache.open({ upstream: [proxyA.url, proxyB.url] });
    const at = (origin: string, ref: string) => `${origin}/v2/${repo}/manifests/${ref}`;

    // Cold, at the same time: one fetch per origin, each origin's own content.
    const [coldA, coldB] = (
      await Promise.all([regcache.fetchIn(page, at(proxyA.url, 'latest'), all), regcache.fetchIn(page, at(proxyB.url, 'latest'), all)])
    ).map((r) => ok(r));
    expect(digestOf(coldA!)).toBe(a.digest);
    expect(digestOf(coldB!)).toBe(b.digest);
    for (const r of [coldA!, coldB!]) expect(r.headers['cache-status']).toMatch(/^regcache; fwd=miss; stored/);
    expect(proxyA.count({ method: 'GET', path: `/v2/${repo}/manifests/latest` })).toBe(1);
    expect(proxyB.count({ method: 'GET', path: `/v2/${repo}/manifests/latest` })).toBe(1);

    // Warm: each tag re-checked at its own origin and served from its own record.
    for (const [origin, img] of [
      [proxyA.url, a],
      [proxyB.url, b],
    ] as const) {
      const r = ok(await regcache.fetchIn(page, at(origin, 'latest'), all));
      expect(digestOf(r)).toBe(img.digest);
      expect(r.headers['cache-status']).toMatch(/^regcache; hit/);
    }
    // One origin's digest asked at the other: that origin's own answer (it has no such
    // manifest), never the stored record of the first.
    const crossed: string[] = [];
    for (const [origin, img] of [
      [proxyB.url, a],
      [proxyA.url, b],
    ] as const) {
      const r = ok(await regcache.fetchIn(page, at(origin, img.digest), all));
      expect(r.status).toBe(404);
      expect(r.headers['cache-status']).toMatch(/^regcache; fwd=miss/);
      crossed.push(`${r.status} ${JSON.parse(r.text).errors[0].code}`);
    }

    const listed = await entries(page);
    const manifests = listed.filter((e) => e.kind === 'manifest');
    expect(manifests.map((e) => `${e.upstream} ${e.digest}`).sort()).toEqual(
      [`${proxyA.url} ${a.digest}`, `${proxyB.url} ${b.digest}`].sort(),
    );
    expect((await checkStore(page)).problems).toEqual([]);

    // Offline, both: still each origin's own, and nothing for the crossed digests.
    proxyA.offline(true);
    proxyB.offline(true);
    const offline: string[] = [];
    for (const [origin, img] of [
      [proxyA.url, a],
      [proxyB.url, b],
    ] as const) {
      for (const ref of ['latest', img.digest]) {
        const r = ok(await regcache.fetchIn(page, at(origin, ref), all));
        expect(digestOf(r)).toBe(img.digest);
        offline.push(`${r.status}`);
      }
      const head = ok(await regcache.fetchIn(page, at(origin, 'latest'), { ...all, method: 'HEAD' }));
      expect(head.headers['docker-content-digest']).toBe(img.digest);
    }
    for (const [origin, img] of [
      [proxyB.url, a],
      [proxyA.url, b],
    ] as const) {
      expect(isFetchError(await regcache.fetchIn(page, at(origin, img.digest), all))).toBe(true);
    }
    reliability(
      'two upstream origins serve the same repository:tag with different content',
      `cold (concurrent), warm and offline each origin got its own bytes (offline: ${offline.join(', ')}); one origin's digest asked at the other: ${crossed.join(', ')} from that origin online, a network error offline; records kept apart by origin`,
    );
  } finally {
    env.proxy.offline(false);
    await proxyB.stop();
    await registryB.stop();
  }
});
