// Seeded random worker query strings against the worker's own parser: each either gives
// exactly the configuration its values say, or fails with a ConfigError naming one of the
// parameters that are wrong. REGCACHE_FUZZ_SEED picks another seed.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/core/config.js';
import { generateCases } from '../servers/config-fuzz.js';

const OWN = 'https://app.example';
const SEED = Number(process.env.REGCACHE_FUZZ_SEED ?? 20_240_611);
const COUNT = 400;

describe(`config fuzzing (seed ${SEED})`, () => {
  const cases = generateCases(SEED, COUNT, { ownOrigin: OWN });

  it('generates a spread of valid and invalid query strings', () => {
    expect(cases).toHaveLength(COUNT);
    const valid = cases.filter((c) => c.outcome.ok).length;
    expect(valid).toBeGreaterThan(COUNT * 0.3);
    expect(COUNT - valid).toBeGreaterThan(COUNT * 0.3);
    expect(new Set(cases.map((c) => c.query)).size).toBeGreaterThan(COUNT * 0.9);
    // Every parameter is at fault somewhere, and every one is set validly somewhere.
    const culprits = new Set(cases.flatMap((c) => (c.outcome.ok ? [] : c.outcome.parameters)));
    for (const p of ['upstream', 'ttl', 'fresh', 'swr', 'timeout', 'maxBytes']) expect(culprits).toContain(p);
    expect([...culprits].some((p) => !['upstream', 'ttl', 'fresh', 'swr', 'timeout', 'maxBytes'].includes(p))).toBe(true);
  });

  it.each(cases.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    const context = `?${c.query}\n  ${c.labels.join('\n  ')}`;
    let config: ReturnType<typeof parseConfig> | undefined;
    let error: unknown;
    try {
      config = parseConfig(c.query, OWN);
    } catch (e) {
      error = e;
    }
    if (c.outcome.ok) {
      expect(error, context).toBeUndefined();
      // Upstreams are a set: the parser keeps the query's order, the generator doesn't.
      const set = (u: readonly string[] | '*') => (u === '*' ? u : [...u].sort());
      expect({ ...config!, upstreams: set(config!.upstreams) }, context).toEqual({
        ...c.outcome.config,
        upstreams: set(c.outcome.config.upstreams),
      });
    } else {
      expect(error, context).toBeInstanceOf(ConfigError);
      const e = error as ConfigError;
      expect(c.outcome.parameters, context).toContain(e.parameter);
      expect(e.message, context).toContain(`regcache: invalid parameter "${e.parameter}"`);
    }
  });
});
