// The ready-made worker is configured by its own URL's query string; a malformed value
// throws during script evaluation, which makes the page's register() call fail.

export interface RegcacheConfig {
  // Origins whose manifest requests are cached; '*' caches every origin.
  upstreams: readonly string[] | '*';
  ttl: number;
  fresh: number;
  timeout: number;
  maxBytes: number;
}

export const DEFAULTS = {
  ttl: 604_800,
  fresh: 0,
  timeout: 3_000,
  maxBytes: 64 * 1024 * 1024,
} as const;

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly parameter: string,
    problem: string,
    // Query-string parameters for the ready-made worker, options for registerManifestCache().
    kind: 'parameter' | 'option' = 'parameter',
  ) {
    super(`regcache: invalid ${kind} "${parameter}": ${problem}`);
  }
}

const NUMERIC = ['ttl', 'fresh', 'timeout', 'maxBytes'] as const;
type NumericParameter = (typeof NUMERIC)[number];
const KNOWN = new Set<string>(['upstream', ...NUMERIC]);

// Smallest accepted value of each numeric parameter.
const MINIMUM: Record<NumericParameter, number> = { ttl: 0, fresh: 0, timeout: 1, maxBytes: 1 };

export function parseWholeNumber(parameter: string, raw: string, minimum: number): number {
  if (!/^\d+$/.test(raw)) {
    throw new ConfigError(parameter, `expected a whole number, got ${JSON.stringify(raw)}`);
  }
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new ConfigError(parameter, `${raw} is too large`);
  if (value < minimum) throw new ConfigError(parameter, `must be at least ${minimum}, got ${raw}`);
  return value;
}

export function parseOrigin(parameter: string, raw: string, kind: 'parameter' | 'option' = 'parameter'): string {
  const fail = (problem: string) => new ConfigError(parameter, `${JSON.stringify(raw)} ${problem}`, kind);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw fail('is not a URL (expected an origin such as https://registry.example, or *)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail('is not an http(s) origin');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username || url.password) {
    throw fail('must be a bare origin, without path, query or credentials');
  }
  return url.origin;
}

export function parseConfig(search: string | URLSearchParams, ownOrigin: string): RegcacheConfig {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  for (const key of new Set(params.keys())) {
    if (!KNOWN.has(key)) {
      throw new ConfigError(key, `unknown parameter (known: ${[...KNOWN].join(', ')})`);
    }
  }

  const rawUpstreams = params.getAll('upstream');
  let upstreams: readonly string[] | '*' = [ownOrigin];
  if (rawUpstreams.length > 0) {
    if (rawUpstreams.includes('*')) {
      if (rawUpstreams.length > 1) throw new ConfigError('upstream', '* cannot be combined with other origins');
      upstreams = '*';
    } else {
      upstreams = [...new Set(rawUpstreams.map((raw) => parseOrigin('upstream', raw)))];
    }
  }

  const numbers = { ...DEFAULTS } as Record<NumericParameter, number>;
  for (const name of NUMERIC) {
    const [value, ...more] = params.getAll(name);
    if (more.length > 0) throw new ConfigError(name, 'given more than once');
    if (value !== undefined) numbers[name] = parseWholeNumber(name, value, MINIMUM[name]);
  }
  return { upstreams, ...numbers };
}

export function coversOrigin(config: RegcacheConfig, origin: string): boolean {
  return config.upstreams === '*' || config.upstreams.includes(origin);
}

// registerManifestCache()'s options: the ready-made worker's parameters, typed.
export interface ManifestCacheOptions {
  upstreams?: readonly string[] | '*';
  ttl?: number;
  fresh?: number;
  timeout?: number;
  maxBytes?: number;
}

const OPTION_NAMES = new Set<string>(['upstreams', ...NUMERIC]);

export function resolveOptions(options: ManifestCacheOptions, ownOrigin: string): RegcacheConfig {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('options', 'expected an object such as { upstreams: ["https://registry.example"] }', 'option');
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.has(key) && key !== 'router') {
      throw new ConfigError(key, `unknown option (known: ${[...OPTION_NAMES].join(', ')}, router)`, 'option');
    }
  }
  const config: RegcacheConfig = { upstreams: [ownOrigin], ...DEFAULTS };
  const { upstreams } = options;
  if (upstreams !== undefined) {
    if (upstreams === '*') config.upstreams = '*';
    else if (!Array.isArray(upstreams) || upstreams.length === 0) {
      throw new ConfigError('upstreams', 'expected a non-empty array of origins, or "*"', 'option');
    } else {
      config.upstreams = [
        ...new Set(
          upstreams.map((u: unknown) => {
            if (typeof u !== 'string') throw new ConfigError('upstreams', `${JSON.stringify(u)} is not a string`, 'option');
            return parseOrigin('upstreams', u, 'option');
          }),
        ),
      ];
    }
  }
  for (const name of NUMERIC) {
    const value: unknown = options[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < MINIMUM[name]) {
      throw new ConfigError(name, `expected a whole number of at least ${MINIMUM[name]}, got ${JSON.stringify(value)}`, 'option');
    }
    config[name] = value;
  }
  return config;
}

// The query string that configures the ready-made worker as these options do.
export function optionsToQuery(options: ManifestCacheOptions): string {
  const params = new URLSearchParams();
  const { upstreams } = options;
  if (upstreams === '*') params.append('upstream', '*');
  else for (const origin of upstreams ?? []) params.append('upstream', origin);
  for (const name of NUMERIC) {
    const value = options[name];
    if (value !== undefined) params.set(name, String(value));
  }
  return params.toString();
}

// Parameters in `own` replace those of the same name in `baked`.
export function mergeQuery(baked: string, own: string): URLSearchParams {
  const merged = new URLSearchParams(baked);
  const mine = new URLSearchParams(own);
  for (const key of new Set(mine.keys())) {
    merged.delete(key);
    for (const value of mine.getAll(key)) merged.append(key, value);
  }
  return merged;
}
