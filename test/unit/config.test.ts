import { describe, expect, it } from 'vitest';
import { type ConfigError, coversOrigin, DEFAULTS, parseConfig } from '../../src/core/config.js';
import { configError } from './support/config-error.js';

const OWN = 'https://app.example';

const errorOf = (search: string): ConfigError => configError(() => parseConfig(search, OWN), search);

describe('config parsing', () => {
  it('defaults to the worker origin and the documented values', () => {
    expect(parseConfig('', OWN)).toEqual({ upstreams: [OWN], ...DEFAULTS });
    expect(DEFAULTS).toEqual({ ttl: 604800, fresh: 0, swr: 0, timeout: 3000, maxBytes: 67108864 });
  });

  it('reads every parameter', () => {
    const config = parseConfig(
      '?upstream=http://127.0.0.1:5000&upstream=https://r.example/&ttl=0&fresh=60&swr=300&timeout=250&maxBytes=1024',
      OWN,
    );
    expect(config).toEqual({
      upstreams: ['http://127.0.0.1:5000', 'https://r.example'],
      ttl: 0,
      fresh: 60,
      swr: 300,
      timeout: 250,
      maxBytes: 1024,
    });
  });

  it('accepts * for any upstream', () => {
    const config = parseConfig('upstream=*', OWN);
    expect(config.upstreams).toBe('*');
    expect(coversOrigin(config, 'https://anything.example')).toBe(true);
  });

  it('covers only the configured origins', () => {
    const config = parseConfig('upstream=https://r.example', OWN);
    expect(coversOrigin(config, 'https://r.example')).toBe(true);
    expect(coversOrigin(config, 'https://r.example:444')).toBe(false);
    expect(coversOrigin(config, OWN)).toBe(false);
  });

  it.each([
    ['ttl=-1', 'ttl'],
    ['ttl=1.5', 'ttl'],
    ['ttl=', 'ttl'],
    ['ttl=abc', 'ttl'],
    ['ttl=1e3', 'ttl'],
    ['ttl=99999999999999999999', 'ttl'],
    ['ttl=1&ttl=2', 'ttl'],
    ['fresh=x', 'fresh'],
    ['swr=-1', 'swr'],
    ['swr=NaN', 'swr'],
    ['swr=1e999', 'swr'],
    ['swr=99999999999999999999', 'swr'],
    ['swr=1&swr=1', 'swr'],
    ['swr=+5', 'swr'],
    ['swr=0x10', 'swr'],
    ['SWR=5', 'SWR'],
    ['timeout=0', 'timeout'],
    ['timeout= 5', 'timeout'],
    ['maxBytes=0', 'maxBytes'],
    ['maxBytes=12MB', 'maxBytes'],
    ['upstream=', 'upstream'],
    ['upstream=registry.example', 'upstream'],
    ['upstream=ftp://r.example', 'upstream'],
    ['upstream=https://r.example/v2/', 'upstream'],
    ['upstream=https://user:pw@r.example', 'upstream'],
    ['upstream=*&upstream=https://r.example', 'upstream'],
    ['tll=5', 'tll'],
    ['maxbytes=5', 'maxbytes'],
  ])('rejects %s naming %s', (search, parameter) => {
    const error = errorOf(search);
    expect(error.parameter).toBe(parameter);
    expect(error.message).toContain(`"${parameter}"`);
  });
});
