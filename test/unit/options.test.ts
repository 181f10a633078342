// registerManifestCache()'s options and regcache/vite's: typed mirrors of the ready-made
// worker's query parameters, rejected by name when malformed.
import { describe, expect, it } from 'vitest';
import {
  type ConfigError,
  DEFAULTS,
  type ManifestCacheOptions,
  mergeQuery,
  optionsToQuery,
  parseConfig,
  resolveOptions,
} from '../../src/core/config.js';
import { regcache } from '../../src/vite/index.js';
import { configError } from './support/config-error.js';

const OWN = 'https://app.example';

const optionError = (options: unknown): ConfigError =>
  configError(() => resolveOptions(options as ManifestCacheOptions, OWN), JSON.stringify(options));

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
          swr: 600,
          timeout: 250,
          maxBytes: 1024,
        },
        OWN,
      ),
    ).toEqual({ upstreams: ['https://r.example', 'http://127.0.0.1:5000'], ttl: 0, fresh: 60, swr: 600, timeout: 250, maxBytes: 1024 });
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
    [{ swr: -1 }, 'swr'],
    [{ swr: '60' }, 'swr'],
    [{ swr: Number.NaN }, 'swr'],
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
    expect(optionError({ maxbytes: 1 }).message).toContain('known: upstreams, ttl, fresh, swr, timeout, maxBytes, router');
  });
});

describe('one validator for options and query parameters', () => {
  const queryError = (search: string): ConfigError => configError(() => parseConfig(search, OWN), search);
  const problem = (error: ConfigError) => error.message.replace(/^regcache: invalid (parameter|option) "[^"]+": /, '');
  // Messages quote string values, and every query value is a string: `got "0"` there, `got 0` in options.
  const unquoted = (error: ConfigError) => problem(error).replaceAll('"', '');

  it.each<[string, unknown, string]>([
    ['ttl=abc', { ttl: 'abc' }, 'expected a whole number of at least 0, got "abc"'],
    ['ttl=1.5', { ttl: 1.5 }, 'expected a whole number of at least 0, got "1.5"'],
    ['fresh=-5', { fresh: -5 }, 'expected a whole number of at least 0, got "-5"'],
    ['swr=-5', { swr: -5 }, 'expected a whole number of at least 0, got "-5"'],
    ['swr=2.5', { swr: 2.5 }, 'expected a whole number of at least 0, got "2.5"'],
    ['swr=NaN', { swr: Number.NaN }, 'expected a whole number of at least 0, got "NaN"'],
    ['swr=Infinity', { swr: Number.POSITIVE_INFINITY }, 'expected a whole number of at least 0, got "Infinity"'],
    ['swr=9007199254740992', { swr: 2 ** 53 }, '"9007199254740992" is too large (at most 9007199254740991)'],
    ['timeout=0', { timeout: 0 }, 'expected a whole number of at least 1, got "0"'],
    ['maxBytes=0', { maxBytes: 0 }, 'expected a whole number of at least 1, got "0"'],
    ['ttl=9007199254740992', { ttl: 2 ** 53 }, '"9007199254740992" is too large (at most 9007199254740991)'],
    ['upstream=ftp://r.example', { upstreams: ['ftp://r.example'] }, '"ftp://r.example" is not an http(s) origin'],
    [
      'upstream=https://r.example/v2/',
      { upstreams: ['https://r.example/v2/'] },
      '"https://r.example/v2/" must be a bare origin, without path, query or credentials',
    ],
    ['upstream=*&upstream=https://r.example', { upstreams: ['*', 'https://r.example'] }, '* cannot be combined with other origins'],
  ])('%s and %j fail with the same problem', (search, options, expected) => {
    const fromQuery = queryError(search);
    const fromOptions = optionError(options);
    expect(problem(fromQuery)).toBe(expected);
    expect(unquoted(fromOptions)).toBe(unquoted(fromQuery));
    // The same name, but for upstreams: a list in options, a repeated parameter in the query.
    expect(fromOptions.parameter === 'upstreams' ? 'upstream' : fromOptions.parameter).toBe(fromQuery.parameter);
  });

  it('words an unknown name the same way, listing each form’s names', () => {
    expect(problem(queryError('tll=5'))).toBe('unknown parameter (known: upstream, ttl, fresh, swr, timeout, maxBytes)');
    expect(problem(optionError({ tll: 5 }))).toBe('unknown option (known: upstreams, ttl, fresh, swr, timeout, maxBytes, router)');
  });

  it("takes ['*'] as any origin, as upstream=* is", () => {
    expect(resolveOptions({ upstreams: ['*'] }, OWN).upstreams).toBe('*');
    expect(parseConfig('upstream=*', OWN).upstreams).toBe('*');
  });

  it('shows NaN and infinities as themselves', () => {
    expect(problem(optionError({ ttl: Number.NaN }))).toBe('expected a whole number of at least 0, got NaN');
    expect(problem(optionError({ ttl: Number.POSITIVE_INFINITY }))).toBe('expected a whole number of at least 0, got Infinity');
  });
});

describe('options and query parameters', () => {
  it.each<ManifestCacheOptions>([
    {},
    { upstreams: '*' },
    { upstreams: ['https://a.example', 'http://127.0.0.1:5000'], ttl: 0, fresh: 30, swr: 90, timeout: 1500, maxBytes: 1 << 20 },
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
    expect(() => regcache({ swr: -1 })).toThrow(/^regcache: invalid option "swr"/);
    expect(() => regcache({ upstreams: ['https://r.example/v2/'] })).toThrow(/invalid option "upstreams"/);
  });

  it.each(['/sw.js', '../sw.js', 'sw/../../x.js', 'sw.ts', 'sw js.js', ''])('rejects fileName %j', (fileName) => {
    expect(() => regcache({ fileName })).toThrow(/invalid option "fileName"/);
  });

  it('accepts a nested fileName', () => {
    expect(regcache({ fileName: 'sw/regcache.js', upstreams: ['https://r.example'] }).name).toBe('regcache');
  });
});
