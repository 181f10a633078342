// A few of the seeded random query strings (test/servers/config-fuzz.ts; the unit test
// runs hundreds against the parser) registered for real: a valid one registers and
// behaves as its values say, an invalid one fails registration naming a parameter.
import type { Page } from '@playwright/test';
import { ConfigError, parseConfig } from '../../../src/core/config.js';
import { type FuzzCase, generateCases } from '../../servers/config-fuzz.js';
import { ACCEPT_ALL, pushImage } from '../../servers/images.js';
import { expect, ok, registerIn, test, uniqueRepo, WORKER_SCRIPT } from '../support/fixtures.js';
import { reliability } from '../support/hardening.js';
import { pulledCost, stats, waitFor } from '../support/store-helpers.js';

// The proxy's origin is known only once the env runs; the cases name it by this stand-in.
const STAND_IN = 'http://upstream.stand-in.test:9';
const SEED = 6;
const PICK = 3;

const generated = generateCases(SEED, 200, {
  ownOrigin: 'http://own.stand-in.test',
  origins: [
    { raw: STAND_IN, origin: STAND_IN },
    { raw: `${STAND_IN}/`, origin: STAND_IN },
    { raw: 'https://registry.example', origin: 'https://registry.example' },
  ],
  // Short enough for a test to watch each value at work.
  ranges: { ttl: [0, 100_000], fresh: [0, 600], timeout: [200, 2_000], maxBytes: [1, 100_000_000] },
});
const chosen = [...generated.filter((c) => c.outcome.ok).slice(0, PICK), ...generated.filter((c) => !c.outcome.ok).slice(0, PICK)];

function realise(c: FuzzCase, proxy: string, own: string): { query: string; outcome: FuzzCase['outcome'] } {
  const query = c.query.replaceAll(encodeURIComponent(STAND_IN), encodeURIComponent(proxy));
  if (!c.outcome.ok) return { query, outcome: c.outcome };
  const { upstreams } = c.outcome.config;
  const real = upstreams === '*' ? '*' : upstreams.map((u) => (u === STAND_IN ? proxy : u === 'http://own.stand-in.test' ? own : u));
  return { query, outcome: { ok: true, config: { ...c.outcome.config, upstreams: real } } };
}

async function controlled(page: Page): Promise<boolean> {
  await page.reload();
  return page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    return navigator.serviceWorker.controller !== null;
  });
}

// All of them against the worker's own parser, in Node (test/unit/config-fuzz.test.ts runs
// another 400 there on every `npm test`); the registrations below take a few for real.
test(`all ${generated.length} fuzzed query strings against the worker's parser`, () => {
  let valid = 0;
  const named = new Set<string>();
  for (const c of generated) {
    const { query, outcome } = realise(c, STAND_IN, 'http://own.stand-in.test');
    const context = `?${query}: ${c.labels.join(', ')}`;
    if (outcome.ok) {
      const config = parseConfig(query, 'http://own.stand-in.test');
      const set = (u: readonly string[] | '*') => (u === '*' ? u : [...u].sort());
      expect({ ...config, upstreams: set(config.upstreams) }, context).toEqual({
        ...outcome.config,
        upstreams: set(outcome.config.upstreams),
      });
      valid++;
    } else {
      const error = (() => {
        try {
          parseConfig(query, 'http://own.stand-in.test');
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error, context).toBeInstanceOf(ConfigError);
      expect(outcome.parameters, context).toContain((error as ConfigError).parameter);
      named.add((error as ConfigError).parameter);
    }
  }
  expect(generated.length).toBeGreaterThanOrEqual(200);
  reliability(
    `config fuzzing: ${generated.length} seeded random query strings (seed ${SEED}) through the worker's parser`,
    `${valid} valid ones gave exactly the configuration their values say; ${generated.length - valid} invalid ones threw a ConfigError naming a wrong parameter (${[...named].sort().join(', ')})`,
  );
});

for (const [i, c] of chosen.entries()) {
  test(`fuzzed query ${i} (${c.outcome.ok ? 'valid' : 'invalid'}): ${c.labels.join(', ')}`, async ({ env, regcache }) => {
    const { query, outcome } = realise(c, env.proxy.url, env.pageOrigin);
    const script = `${WORKER_SCRIPT}?${query}`;
    const page = await regcache.blank();
    const result = await registerIn(page, script);

    if (!outcome.ok) {
      expect(result.ok, script).toBe(false);
      if (result.ok) return;
      const named = outcome.parameters.filter((p) => result.workerErrors.some((m) => m.includes(`regcache: invalid parameter "${p}"`)));
      expect(named, `${script}: ${JSON.stringify(result.workerErrors)}`).toHaveLength(1);
      expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
      reliability(
        `config fuzzing: ${c.labels.filter((l) => !l.startsWith('upstream: http')).join(', ')}`,
        `registration failed; the worker's error names "${named[0]}"`,
      );
      return;
    }

    expect(result, script).toEqual({ ok: true });
    expect(await controlled(page)).toBe(true);
    const { config } = outcome;
    const repo = uniqueRepo('config-fuzz');
    const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
    const url = `${env.proxy.url}/v2/${repo}/manifests/v1`;
    const covered = config.upstreams === '*' || config.upstreams.includes(env.proxy.url);
    const seen: string[] = [];

    const first = ok(await regcache.fetchIn(page, url, { headers: { Accept: ACCEPT_ALL } }));
    expect(first.status).toBe(200);
    if (!covered) {
      // Not a configured upstream: not intercepted at all.
      expect(first.headers['cache-status']).toBeUndefined();
      seen.push('the proxy is not a configured upstream: not intercepted');
    } else {
      expect(first.headers['cache-status']).toMatch(/^regcache; fwd=miss; stored/);
      const ttl = /ttl=(\d+)/.exec(first.headers['cache-status']!)?.[1];
      if (config.ttl === 0) expect(ttl).toBeUndefined();
      else {
        expect(Number(ttl)).toBeLessThanOrEqual(config.ttl);
        expect(Number(ttl)).toBeGreaterThanOrEqual(config.ttl - 5);
      }
      seen.push(config.ttl === 0 ? 'no ttl (ttl=0)' : `ttl=${config.ttl} in Cache-Status`);
      const s = await stats(page);
      // maxBytes: the budget holds; a manifest and tag that cost more than it do not stay.
      const cost = pulledCost(env.proxy.url, repo, img, { name: 'v1', accept: ACCEPT_ALL });
      expect(s.storedBytes).toBeLessThanOrEqual(config.maxBytes);
      expect(s.storedBytes).toBe(cost <= config.maxBytes ? cost : 0);
      seen.push(`stored ${s.storedBytes} bytes under maxBytes=${config.maxBytes}`);

      if (s.storedBytes > 0 && (config.fresh === 0 || config.fresh >= 60)) {
        env.proxy.reset();
        // With fresh=0 the re-check hangs, so timeout decides when the stored answer is served.
        if (config.fresh === 0) env.proxy.addFault({ method: 'HEAD', path: `/v2/${repo}/manifests/v1`, hang: true, times: 1 });
        const again = ok(await regcache.fetchIn(page, url, { headers: { Accept: ACCEPT_ALL }, timeoutMs: 20_000 }));
        expect(again.status).toBe(200);
        if (config.fresh === 0 && config.swr > 0) {
          // Within swr: served at once, and the re-check (hung here) runs in the background.
          expect(again.headers['cache-status']).toMatch(/^regcache; hit; (ttl=\d+; )?detail=stale-while-revalidate$/);
          await waitFor(
            async () => env.proxy.count({ method: 'HEAD' }),
            (n) => n === 1,
            10_000,
          );
          seen.push(`fresh=0, swr=${config.swr}: served at once; the re-check ran in the background`);
        } else if (config.fresh === 0) {
          expect(again.headers['cache-status']).toMatch(/^regcache; hit;.*detail=stale/);
          expect(env.proxy.count({ method: 'HEAD' })).toBe(1);
          seen.push(`fresh=0: re-checked; the hung re-check gave up after timeout=${config.timeout} ms and served stored`);
        } else {
          expect(again.headers['cache-status']).toMatch(/^regcache; hit; ttl=\d+$/);
          expect(env.proxy.count({ method: 'HEAD' })).toBe(0);
          seen.push(`fresh=${config.fresh}: served without a re-check`);
        }
      }
    }
    reliability(`config fuzzing: ${c.labels.map((l) => l.replace(STAND_IN, '<proxy>')).join(', ')}`, `registered; ${seen.join('; ')}`);
  });
}
