// Requests regcache must not touch: the worker leaves them to the browser (no
// respondWith), so they reach the network exactly as the page sent them.
import { ACCEPT_OCI, pushImage, sha256 } from '../../servers/images.js';
import type { ProxyLogEntry } from '../../servers/proxy.js';
import { bodyOf, direct, expect, type FetchInit, type FetchResult, isFetchError, test, uniqueRepo } from '../support/fixtures.js';
import { watchResponses } from '../support/store-helpers.js';

// A header the page sets and regcache's own upstream calls never send (they forward
// only Accept and Authorization), so it shows whose request reached the proxy. It is
// CORS-safelisted: no preflight, which the registry refuses for paths it does not route.
const MARKER = { 'Content-Language': 'x-untouched-17' };

function requestsSince(log: ProxyLogEntry[], mark: number): ProxyLogEntry[] {
  return log.slice(mark).filter((e) => e.method !== 'OPTIONS');
}

function answerOf(r: FetchResult) {
  if (isFetchError(r)) return { error: r.error };
  return { status: r.status, body: r.body, 'content-type': r.headers['content-type'], 'cache-status': r.headers['cache-status'] };
}

test('untouched requests reach the network as the page sent them, and carry no Cache-Status', async ({ env, regcache }) => {
  const repo = uniqueRepo('untouched');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const config = img.blobs[0]!;

  const page = await regcache.open();
  // Per response the page receives, whether a service worker made it.
  const watch = await watchResponses(page);
  if (!watch.reports) {
    test.info().annotations.push({
      type: 'not checked',
      description: 'which responses a worker made: this browser does not say (ResponseWatch.reports in support/store-helpers.ts)',
    });
  }
  // The same requests from a context without any worker, for comparison.
  const plain = await regcache.bare();
  try {
    expect(await plain.evaluate(() => navigator.serviceWorker.controller)).toBeNull();
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

    interface Case {
      what: string;
      path: string;
      init: FetchInit;
      // The registry sends no CORS headers for paths its router does not match, so the
      // page sees a network error, with or without the worker.
      corsless?: boolean;
      check?: (r: FetchResult) => void;
    }
    const cases: Case[] = [
      {
        what: 'the base endpoint',
        path: '/v2/',
        init: { headers: MARKER },
        check: (r) => expect(JSON.parse(bodyOf(r).toString())).toEqual({}),
      },
      {
        what: 'tags/list',
        path: `/v2/${repo}/tags/list`,
        init: { headers: MARKER },
        check: (r) => expect(JSON.parse(bodyOf(r).toString())).toEqual({ name: repo, tags: ['v1'] }),
      },
      {
        what: '_catalog',
        path: '/v2/_catalog',
        init: { headers: MARKER },
        check: (r) => expect(JSON.parse(bodyOf(r).toString()).repositories).toContain(repo),
      },
      {
        what: 'a blob',
        path: `/v2/${repo}/blobs/${config.digest}`,
        init: { headers: MARKER },
        check: (r) => expect(sha256(bodyOf(r))).toBe(config.digest),
      },
      {
        what: 'a blob, HEAD',
        path: `/v2/${repo}/blobs/${config.digest}`,
        init: { method: 'HEAD', headers: MARKER },
        check: (r) => expect(bodyOf(r).length).toBe(0),
      },
      {
        what: 'an upper-case repository name',
        path: `/v2/Untouched/${repo}/manifests/v1`,
        init: { headers: { Accept: ACCEPT_OCI, ...MARKER } },
      },
      { what: 'a malformed tag', path: `/v2/${repo}/manifests/-v1`, init: { headers: { Accept: ACCEPT_OCI, ...MARKER } }, corsless: true },
      { what: 'a malformed digest', path: `/v2/${repo}/manifests/sha256:abc`, init: { headers: { Accept: ACCEPT_OCI, ...MARKER } } },
    ];

    for (const c of cases) {
      const url = `${env.proxy.url}${c.path}`;
      // The browser's HTTP cache would answer a repeated blob request without the network.
      c.init.cache = 'no-store';
      const method = c.init.method ?? 'GET';

      const mark = env.proxy.log.length;
      const seen = (await watch.received()).length;
      const viaWorker = await regcache.fetchIn(page, url, c.init);
      const responses = (await watch.received()).slice(seen);
      const sent = requestsSince(env.proxy.log, mark);
      const mark2 = env.proxy.log.length;
      const withoutWorker = await regcache.fetchIn(plain, url, c.init);
      const sentPlain = requestsSince(env.proxy.log, mark2);

      // One request each, as the page made it: same method, same path, same headers
      // as from a page no worker controls.
      expect(
        sent.map((e) => [e.method, e.path]),
        c.what,
      ).toEqual([[method, c.path]]);
      expect(
        sentPlain.map((e) => [e.method, e.path]),
        c.what,
      ).toEqual([[method, c.path]]);
      expect(sent[0]!.headers, `${c.what}: request headers`).toEqual(sentPlain[0]!.headers);
      for (const [name, value] of Object.entries(c.init.headers ?? {})) {
        expect(sent[0]!.headers[name.toLowerCase()], `${c.what}: ${name}`).toBe(value);
      }

      expect(answerOf(viaWorker), c.what).toEqual(answerOf(withoutWorker));
      // Upstream answered each (a status, not a dropped connection), alike for both.
      expect(sent[0]!.status, `${c.what}: upstream status`).toBeGreaterThan(0);
      expect(sent[0]!.status, `${c.what}: upstream status`).toBe(sentPlain[0]!.status);
      if (c.corsless) {
        expect(isFetchError(viaWorker), `${c.what}: network error`).toBe(true);
        // No worker made a response (Chromium reports none at all for a CORS failure, Firefox
        // reports upstream's, which the page then refused).
        expect(
          responses.filter((r) => r.fromServiceWorker),
          `${c.what}: made by the worker?`,
        ).toEqual([]);
        continue;
      }
      // The page sees upstream's answer, without any Cache-Status, and the browser says no worker made it.
      if (isFetchError(viaWorker)) throw new Error(`${c.what}: ${viaWorker.error}`);
      expect(viaWorker.status, c.what).toBe(sent[0]!.status);
      expect(viaWorker.headers['cache-status'], `${c.what}: Cache-Status`).toBeUndefined();
      if (watch.reports) expect(responses, `${c.what}: made by the worker?`).toEqual([{ url, fromServiceWorker: false }]);
      c.check?.(viaWorker);
    }

    // A manifest on an origin regcache is not configured for (the registry itself, while
    // the worker's upstream is the proxy) goes to that origin untouched.
    const otherOrigin = `${env.registry.url}/v2/${repo}/manifests/v1`;
    const init: FetchInit = { headers: { Accept: ACCEPT_OCI, ...MARKER }, cache: 'no-store' };
    const mark = env.proxy.log.length;
    const seen = (await watch.received()).length;
    const viaWorker = await regcache.fetchIn(page, otherOrigin, init);
    if (watch.reports) {
      expect((await watch.received()).slice(seen), 'made by the worker?').toEqual([{ url: otherOrigin, fromServiceWorker: false }]);
    }
    const withoutWorker = await regcache.fetchIn(plain, otherOrigin, init);
    expect(env.proxy.log.length, 'nothing went to the configured upstream').toBe(mark);
    expect(answerOf(viaWorker)).toEqual(answerOf(withoutWorker));
    expect(answerOf(viaWorker)).toEqual(answerOf(await direct(otherOrigin, init)));
    expect(bodyOf(viaWorker).equals(img.body)).toBe(true);
    expect((viaWorker as { headers: Record<string, string> }).headers['cache-status']).toBeUndefined();

    // The control: the same manifest on the configured upstream is the worker's answer,
    // and what reaches the proxy is regcache's own request, not the page's.
    const intercepted = `${env.proxy.url}/v2/${repo}/manifests/v1`;
    const mark3 = env.proxy.log.length;
    const seen3 = (await watch.received()).length;
    const answered = await regcache.fetchIn(page, intercepted, init);
    if (watch.reports) expect((await watch.received()).slice(seen3)).toEqual([{ url: intercepted, fromServiceWorker: true }]);
    if (isFetchError(answered)) throw new Error(answered.error);
    expect(answered.headers['cache-status']).toMatch(/^regcache; /);
    const upstream = requestsSince(env.proxy.log, mark3);
    expect(upstream.map((e) => [e.method, e.path])).toEqual([['GET', `/v2/${repo}/manifests/v1`]]);
    expect(upstream[0]!.headers['content-language']).toBeUndefined();
  } finally {
    await watch.stop();
  }
});
