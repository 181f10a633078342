// registerManifestCache()'s options and regcache/vite's: typed mirrors of the ready-made
// worker's query parameters, rejected by name when malformed.
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULTS,
  type ManifestCacheOptions,
  mergeQuery,
  optionsToQuery,
  parseConfig,
  resolveOptions,
} from '../../src/core/config.js';
import { regcache } from '../../src/vite/index.js';

const OWN = 'https://app.example';

function optionError(options: unknown): ConfigError {
  try {
    resolveOptions(options as ManifestCacheOptions, OWN);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(options)} was accepted`);
}

describe('resolveOptions', () => {
  it('defaults to the worker origin and the documented values', () => {
    expect(resolveOptions({}, OWN)).toEqual({ upstreams: [OWN], ...DEFAULTS });
  });

  it('takes every option, and normalises and de-duplicates origins', () => {
    expect(
      resolveOptions(
        {
          upstreams: ['https://r.example/', 'https://r.example', 'http://127.0.0.1:5000'],
          ttl: 0,
          fresh: 60,
          timeout: 250,
          maxBytes: 1024,
        },
        OWN,
      ),
    ).toEqual({ upstreams: ['https://r.example', 'http://127.0.0.1:5000'], ttl: 0, fresh: 60, timeout: 250, maxBytes: 1024 });
    expect(resolveOptions({ upstreams: '*' }, OWN).upstreams).toBe('*');
  });

  it('accepts the router option of registerManifestCache() without reading it', () => {
    expect(() => resolveOptions({ router: {} } as ManifestCacheOptions, OWN)).not.toThrow();
  });

  it.each<[unknown, string]>([
    [{ ttl: -1 }, 'ttl'],
    [{ ttl: 1.5 }, 'ttl'],
    [{ ttl: '60' }, 'ttl'],
    [{ ttl: Number.NaN }, 'ttl'],
    [{ ttl: Number.POSITIVE_INFINITY }, 'ttl'],
    [{ ttl: 2 ** 53 }, 'ttl'],
    [{ fresh: -5 }, 'fresh'],
    [{ timeout: 0 }, 'timeout'],
    [{ maxBytes: 0 }, 'maxBytes'],
    [{ maxBytes: '64MB' }, 'maxBytes'],
    [{ upstreams: [] }, 'upstreams'],
    [{ upstreams: 'https://r.example' }, 'upstreams'],
    [{ upstreams: [42] }, 'upstreams'],
    [{ upstreams: ['registry.example'] }, 'upstreams'],
    [{ upstreams: ['ftp://r.example'] }, 'upstreams'],
    [{ upstreams: ['https://r.example/v2/'] }, 'upstreams'],
    [{ upstreams: ['https://user:pw@r.example'] }, 'upstreams'],
    [{ upstreams: ['https://r.example?x=1'] }, 'upstreams'],
    // The query parameter's name, singular, is a likely slip in code.
    [{ upstream: ['https://r.example'] }, 'upstream'],
    [{ tll: 5 }, 'tll'],
    [null, 'options'],
    ['upstream=https://r.example', 'options'],
  ])('rejects %j naming %s', (options, name) => {
    const error = optionError(options);
    expect(error.name).toBe('ConfigError');
    expect(error.parameter).toBe(name);
    expect(error.message).toMatch(new RegExp(`^regcache: invalid option "${name}": `));
  });

  it('lists the known options when one is unknown', () => {
    expect(optionError({ maxbytes: 1 }).message).toContain('known: upstreams, ttl, fresh, timeout, maxBytes, router');
  });
});

describe('options and query parameters', () => {
  it.each<ManifestCacheOptions>([
    {},
    { upstreams: '*' },
    { upstreams: ['https://a.example', 'http://127.0.0.1:5000'], ttl: 0, fresh: 30, timeout: 1500, maxBytes: 1 << 20 },
    { ttl: 3600 },
  ])('optionsToQuery(%j) configures the ready-made worker as the options do', (options) => {
    expect(parseConfig(optionsToQuery(options), OWN)).toEqual(resolveOptions(options, OWN));
  });

  it("mergeQuery: the worker URL's own parameters replace the baked ones of the same name", () => {
    const merged = mergeQuery(
      'upstream=https%3A%2F%2Fa.example&upstream=https%3A%2F%2Fb.example&ttl=60',
      'upstream=https://c.example&fresh=5',
    );
    expect(merged.getAll('upstream')).toEqual(['https://c.example']);
    expect(merged.get('ttl')).toBe('60');
    expect(merged.get('fresh')).toBe('5');
  });
});

describe('regcache/vite options', () => {
  it('rejects a bad worker option when the config is loaded, naming it', () => {
    expect(() => regcache({ ttl: -1 })).toThrow(/^regcache: invalid option "ttl"/);
    expect(() => regcache({ upstreams: ['https://r.example/v2/'] })).toThrow(/invalid option "upstreams"/);
  });

  it.each(['/sw.js', '../sw.js', 'sw/../../x.js', 'sw.ts', 'sw js.js', ''])('rejects fileName %j', (fileName) => {
    expect(() => regcache({ fileName })).toThrow(/invalid option "fileName"/);
  });

  it('accepts a nested fileName', () => {
    expect(regcache({ fileName: 'sw/regcache.js', upstreams: ['https://r.example'] }).name).toBe('regcache');
  });
});
