// A tag's answer depends on the request's Accept set, and so does upstream's 404: distribution
// answers an OCI manifest with 404 to a request that does not accept OCI types. Such a 404
// removes that Accept set's variant of the tag, never the others.
import { ACCEPT_ALL, ACCEPT_DOCKER, ACCEPT_OCI, deleteManifest, pushImage } from '../../servers/images.js';
import { direct, expect, isFetchError, ok, test, uniqueRepo } from '../support/fixtures.js';
import { dumpDb } from '../support/store-helpers.js';

const headers = (accept: string) => ({ headers: { Accept: accept } });

test("a 404 to a Docker-only Accept keeps the tag's OCI variant, revalidated online and stale offline", async ({ env, regcache }) => {
  const repo = uniqueRepo('variants/oci');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const url = `${env.proxy.url}/v2/${repo}/manifests/v1`;
  const page = await regcache.open();

  const first = ok(await regcache.fetchIn(page, url, headers(ACCEPT_ALL)));
  expect(first.status).toBe(200);
  expect(first.headers['cache-status']).toMatch(/^regcache; fwd=miss; stored/);

  // Upstream really has no variant for Docker-only clients: its 404 reaches the page as it is.
  const upstreamDocker = ok(await direct(url, headers(ACCEPT_DOCKER)));
  expect(upstreamDocker.status).toBe(404);
  const docker = ok(await regcache.fetchIn(page, url, headers(ACCEPT_DOCKER)));
  expect(docker.status).toBe(404);
  expect(docker.text).toBe(upstreamDocker.text);
  // A Docker-only HEAD, as `docker manifest inspect` style tools send, as well.
  expect(ok(await regcache.fetchIn(page, url, { method: 'HEAD', ...headers(ACCEPT_DOCKER) })).status).toBe(404);

  // The all-types variant is still stored: re-checked and served from the store.
  expect((await dumpDb(page)).tags.filter((t) => t.repository === repo)).toHaveLength(1);
  env.proxy.reset();
  const again = ok(await regcache.fetchIn(page, url, headers(ACCEPT_ALL)));
  expect(again.status).toBe(200);
  expect(again.headers['docker-content-digest']).toBe(img.digest);
  expect(again.headers['cache-status']).toMatch(/^regcache; hit;.*detail=revalidated/);
  expect(env.proxy.count({ method: 'GET' })).toBe(0);
  expect(env.proxy.count({ method: 'HEAD' })).toBe(1);

  env.proxy.offline(true);
  const offline = ok(await regcache.fetchIn(page, url, headers(ACCEPT_ALL)));
  expect(offline.status).toBe(200);
  expect(offline.headers['docker-content-digest']).toBe(img.digest);
  expect(offline.headers['cache-status']).toMatch(/^regcache; hit;.*detail=stale/);
});

test('a tag deleted upstream is dropped for each Accept set as that set asks, and only then', async ({ env, regcache }) => {
  const repo = uniqueRepo('variants/deleted');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const url = `${env.proxy.url}/v2/${repo}/manifests/v1`;
  const page = await regcache.open();
  for (const accept of [ACCEPT_ALL, ACCEPT_OCI]) expect(ok(await regcache.fetchIn(page, url, headers(accept))).status).toBe(200);
  expect((await dumpDb(page)).tags.filter((t) => t.repository === repo)).toHaveLength(2);

  await deleteManifest(env.registry.url, repo, img.digest);
  // The all-types variant asks: upstream's 404 goes through, and that variant alone is dropped.
  const gone = ok(await regcache.fetchIn(page, url, headers(ACCEPT_ALL)));
  expect(gone.status).toBe(404);
  const left = (await dumpDb(page)).tags.filter((t) => t.repository === repo);
  expect(left).toHaveLength(1);
  expect(left[0]?.accept).not.toContain(',');

  // Offline, the variant that learnt of the deletion is gone; the other is served stale.
  env.proxy.offline(true);
  expect(isFetchError(await regcache.fetchIn(page, url, headers(ACCEPT_ALL)))).toBe(true);
  const oci = ok(await regcache.fetchIn(page, url, headers(ACCEPT_OCI)));
  expect(oci.status).toBe(200);
  expect(oci.headers['cache-status']).toMatch(/^regcache; hit;.*detail=stale/);

  // Back online, the OCI-only variant asks too and is dropped in turn.
  env.proxy.offline(false);
  expect(ok(await regcache.fetchIn(page, url, { method: 'HEAD', ...headers(ACCEPT_OCI) })).status).toBe(404);
  expect((await dumpDb(page)).tags.filter((t) => t.repository === repo)).toHaveLength(0);
  env.proxy.offline(true);
  expect(isFetchError(await regcache.fetchIn(page, url, headers(ACCEPT_OCI)))).toBe(true);
});
