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
  ) {
    super(`regcache: invalid parameter "${parameter}": ${problem}`);
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

export function parseOrigin(parameter: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(parameter, `${JSON.stringify(raw)} is not a URL (expected an origin such as https://registry.example, or *)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(parameter, `${JSON.stringify(raw)} is not an http(s) origin`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username || url.password) {
    throw new ConfigError(parameter, `${JSON.stringify(raw)} must be a bare origin, without path, query or credentials`);
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
    const values = params.getAll(name);
    if (values.length > 1) throw new ConfigError(name, 'given more than once');
    if (values.length === 1) numbers[name] = parseWholeNumber(name, values[0]!, MINIMUM[name]);
  }
  return { upstreams, ...numbers };
}

export function coversOrigin(config: RegcacheConfig, origin: string): boolean {
  return config.upstreams === '*' || config.upstreams.includes(origin);
}
