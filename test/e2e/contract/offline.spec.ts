// With upstream unreachable, what is stored is still served and nothing else is invented.
import type { Page } from '@playwright/test';
import { ACCEPT_ALL, type PushedImage, pushImage } from '../../servers/images.js';
import { bodyOf, type Env, expect, isFetchError, ok, type Regcache, test, uniqueRepo } from '../support/fixtures.js';

const all = { headers: { Accept: ACCEPT_ALL } };

// An image, an index and the index's children, each fetched once so regcache stores them.
async function storeSome(env: Env, regcache: Regcache, page: Page): Promise<{ repo: string; images: PushedImage[] }> {
  const repo = uniqueRepo('offline');
  const images = [await pushImage(env.registry.url, repo, 'image', 'oci'), await pushImage(env.registry.url, repo, 'index', 'oci-index')];
  for (const img of images) {
    for (const ref of [img.tag, img.digest, ...img.children.map((c) => c.digest)]) {
      const r = ok(await regcache.fetchIn(page, `${env.proxy.url}/v2/${repo}/manifests/${ref}`, all));
      expect(r.status).toBe(200);
    }
  }
  return { repo, images };
}

async function expectServedOffline(env: Env, regcache: Regcache, page: Page, repo: string, images: PushedImage[]) {
  for (const img of images) {
    for (const item of [img, ...img.children]) {
      const r = ok(await regcache.fetchIn(page, `${env.proxy.url}/v2/${repo}/manifests/${item.digest}`, all));
      expect(r.status).toBe(200);
      expect(bodyOf(r).equals(item.body)).toBe(true);
      expect(r.headers['content-type']).toBe(item.mediaType);
      expect(r.headers['docker-content-digest']).toBe(item.digest);
      expect(r.headers['cache-status']).toMatch(/^regcache; hit/);
      // A digest never needs upstream, so there is nothing for it to be stale about.
      expect(r.headers['cache-status']).not.toContain('detail=stale');
    }
    const tag = ok(await regcache.fetchIn(page, `${env.proxy.url}/v2/${repo}/manifests/${img.tag}`, all));
    expect(tag.status).toBe(200);
    expect(bodyOf(tag).equals(img.body)).toBe(true);
    expect(tag.headers['docker-content-digest']).toBe(img.digest);
    expect(tag.headers['cache-status']).toMatch(/^regcache; hit;.*detail=stale/);
  }
}

test('stored digests and tags are served with upstream cut off', async ({ env, regcache }) => {
  const page = await regcache.open();
  const { repo, images } = await storeSome(env, regcache, page);
  env.proxy.offline(true);
  env.proxy.reset();
  await expectServedOffline(env, regcache, page, repo, images);
  // Nothing got through; only tag re-checks (and their preflights) were even tried.
  expect(env.proxy.log.every((e) => e.fault === 'offline')).toBe(true);
  expect(env.proxy.count({ method: 'GET' })).toBe(0);
});

test('stored answers are served after a worker restart with upstream cut off', async ({ env, regcache }) => {
  const page = await regcache.open();
  const { repo, images } = await storeSome(env, regcache, page);
  await regcache.stopWorker(page);
  env.proxy.offline(true);
  await expectServedOffline(env, regcache, page, repo, images);
});

test('a reference never stored fails offline just as it does without the worker', async ({ engine, env, regcache }) => {
  const repo = uniqueRepo('offline/never');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const page = await regcache.open();
  env.proxy.offline(true);

  // The same page, fetches, with no worker anywhere near it.
  const plain = await regcache.bare();
  expect(await plain.evaluate(() => navigator.serviceWorker.controller)).toBeNull();

  for (const ref of ['v1', img.digest]) {
    const url = `${env.proxy.url}/v2/${repo}/manifests/${ref}`;
    const withWorker = await regcache.fetchIn(page, url, all);
    const without = await regcache.fetchIn(plain, url, all);
    expect(isFetchError(without)).toBe(true);
    // WebKit names a network error a worker answered with (Response.error()) otherwise than
    // its own, and nothing a worker can answer with reads 'Load failed' (docs/browser-support.md).
    expect(withWorker).toEqual(engine === 'webkit' ? { error: 'TypeError: Response served by service worker is an error' } : without);
    if (engine === 'webkit') expect(without).toEqual({ error: 'TypeError: Load failed' });
  }
});

test('context.setOffline: stored answers are served, unknown ones fail', async ({ context, engine, env, regcache }) => {
  // Firefox's own offline mode lets loopback through (network.disable-localhost-when-offline
  // narrows that but still let some requests through in trials): there, offline is cut at
  // the proxy, as in the tests above.
  test.skip(engine === 'firefox', "needs the browser's own offline switch: Playwright's context.setOffline (Chromium network emulation)");
  test.skip(engine === 'webkit', "needs the browser's own offline switch: WebDriver classic has none, nor has MiniBrowser");
  const repo = uniqueRepo('offline/context');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const other = await pushImage(env.registry.url, repo, 'other', 'oci', { salt: 'other' });
  const page = await regcache.open();
  const at = (ref: string) => `${env.proxy.url}/v2/${repo}/manifests/${ref}`;
  ok(await regcache.fetchIn(page, at('v1'), all));
  ok(await regcache.fetchIn(page, at(img.digest), all));

  await context.setOffline(true);
  try {
    env.proxy.reset();
    const digest = ok(await regcache.fetchIn(page, at(img.digest), all));
    expect(bodyOf(digest).equals(img.body)).toBe(true);
    expect(digest.headers['cache-status']).toMatch(/^regcache; hit/);

    const tag = ok(await regcache.fetchIn(page, at('v1'), all));
    expect(bodyOf(tag).equals(img.body)).toBe(true);
    expect(tag.headers['cache-status']).toMatch(/^regcache; hit;.*detail=stale/);

    expect(isFetchError(await regcache.fetchIn(page, at(other.digest), all))).toBe(true);
    expect(isFetchError(await regcache.fetchIn(page, at('other'), all))).toBe(true);
    // The browser itself was offline: nothing reached the proxy.
    expect(env.proxy.count({ path: `/v2/${repo}/` })).toBe(0);
  } finally {
    await context.setOffline(false);
  }
});
