// regcache's configuration, given in one of two forms: the ready-made worker's query string
// (parseConfig) or an options object (resolveOptions, for registerManifestCache() and the
// Vite plugin). Each form is first read for its shape only; then one validator applies the
// same rules, with the same messages, to both. A malformed value throws a ConfigError; in
// the ready-made worker that happens during script evaluation, so registration fails.
//
// Units: durations that are cache lifetimes are seconds, as in HTTP's max-age and
// Cache-Status' ttl (`ttl`, `fresh`, `swr`); waits are milliseconds, as in setTimeout (`timeout`,
// here and in the page client's options); sizes are bytes (`maxBytes`). Names carry no unit
// suffix, and the query parameter and the option of the same meaning have the same name.

/** The checked configuration. @internal */
export interface RegcacheConfig {
  // Origins whose manifest requests are cached; '*' caches every origin.
  upstreams: readonly string[] | '*';
  ttl: number;
  fresh: number;
  swr: number;
  timeout: number;
  maxBytes: number;
}

/**
 * The defaults of the numeric options and query parameters.
 *
 * `ttl` 604800 seconds (7 days), `fresh` 0 seconds, `swr` 0 seconds, `timeout` 3000
 * milliseconds, `maxBytes` 67108864 bytes (64 MiB).
 */
export const DEFAULTS = {
  /** Seconds: 7 days. */
  ttl: 604_800,
  /** Seconds: every tag request is re-checked with upstream. */
  fresh: 0,
  /** Seconds: no tag is served before its re-check has answered. */
  swr: 0,
  /** Milliseconds. */
  timeout: 3_000,
  /** Bytes: 64 MiB. */
  maxBytes: 67_108_864,
} as const;

/**
 * A malformed option or query parameter. Its message has the form
 * `regcache: invalid option "<name>": <problem>`, or `invalid parameter` for the ready-made
 * worker's query string; the problem is worded the same in both forms.
 */
export class ConfigError extends Error {
  /** Always `'ConfigError'`. */
  override name = 'ConfigError';
  /**
   * @param parameter - The option's or query parameter's name.
   * @param problem - What is wrong with it.
   * @param kind - `'parameter'` for the query string, `'option'` for an options object.
   */
  constructor(
    /** The name of the option or query parameter at fault, e.g. `"ttl"` or `"upstreams"`. */
    readonly parameter: string,
    problem: string,
    kind: 'parameter' | 'option' = 'parameter',
  ) {
    super(`regcache: invalid ${kind} "${parameter}": ${problem}`);
  }
}

type Form = 'parameter' | 'option';

const NUMERIC = ['ttl', 'fresh', 'swr', 'timeout', 'maxBytes'] as const;
type NumericParameter = (typeof NUMERIC)[number];

/** The ready-made worker's query parameters; `upstream` may be repeated. @internal */
export const QUERY_PARAMETERS = ['upstream', ...NUMERIC] as const;

// Smallest accepted value of each numeric parameter.
const MINIMUM: Record<NumericParameter, number> = { ttl: 0, fresh: 0, swr: 0, timeout: 1, maxBytes: 1 };

// A configuration read from either form, its values not yet checked.
interface Unchecked {
  // The upstreams' name in this form, and its values; undefined when not given.
  upstreams?: { name: string; values: readonly string[] };
  numbers: Partial<Record<NumericParameter, unknown>>;
}

// A value as a message shows it: strings quoted, numbers as written (NaN, -5, 1.5).
const show = (value: unknown): string => (typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value)));

function rejectUnknown(names: Iterable<string>, known: readonly string[], kind: Form): void {
  for (const name of names) {
    if (!known.includes(name)) throw new ConfigError(name, `unknown ${kind} (known: ${known.join(', ')})`, kind);
  }
}

// Checks a configuration read from either form: the one validator.
function validate(input: Unchecked, ownOrigin: string, kind: Form): RegcacheConfig {
  const config: RegcacheConfig = { upstreams: [ownOrigin], ...DEFAULTS };
  if (input.upstreams) {
    const { name, values } = input.upstreams;
    if (values.includes('*')) {
      if (values.length > 1) throw new ConfigError(name, '* cannot be combined with other origins', kind);
      config.upstreams = '*';
    } else {
      config.upstreams = [...new Set(values.map((value) => parseOrigin(name, value, kind)))];
    }
  }
  for (const name of NUMERIC) {
    const value = input.numbers[name];
    if (value !== undefined) config[name] = wholeNumber(name, value, kind);
  }
  return config;
}

function wholeNumber(name: NumericParameter, value: unknown, kind: Form): number {
  // The query string spells a number in decimal digits only: no sign, point, exponent or space.
  const n = kind === 'parameter' && typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < MINIMUM[name]) {
    throw new ConfigError(name, `expected a whole number of at least ${MINIMUM[name]}, got ${show(value)}`, kind);
  }
  if (!Number.isSafeInteger(n)) throw new ConfigError(name, `${show(value)} is too large (at most ${Number.MAX_SAFE_INTEGER})`, kind);
  return n;
}

// An upstream as a bare http(s) origin, normalised (`https://r.example/` gives `https://r.example`).
function parseOrigin(parameter: string, raw: string, kind: Form): string {
  const fail = (problem: string) => new ConfigError(parameter, `${show(raw)} ${problem}`, kind);
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

/** Reads the ready-made worker's query string. @internal */
export function parseConfig(search: string | URLSearchParams, ownOrigin: string): RegcacheConfig {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  rejectUnknown(new Set(params.keys()), QUERY_PARAMETERS, 'parameter');
  const input: Unchecked = { numbers: {} };
  const upstreams = params.getAll('upstream');
  if (upstreams.length > 0) input.upstreams = { name: 'upstream', values: upstreams };
  for (const name of NUMERIC) {
    const [value, ...more] = params.getAll(name);
    if (more.length > 0) throw new ConfigError(name, 'given more than once');
    input.numbers[name] = value;
  }
  return validate(input, ownOrigin, 'parameter');
}

/** Whether a request to this origin is regcache's to answer. @internal */
export function coversOrigin(config: RegcacheConfig, origin: string): boolean {
  return config.upstreams === '*' || config.upstreams.includes(origin);
}

/**
 * `registerManifestCache()`'s and the Vite plugin's options: the ready-made worker's query
 * parameters, typed. Durations are seconds for lifetimes (`ttl`, `fresh`, `swr`) and milliseconds
 * for waits (`timeout`).
 */
export interface ManifestCacheOptions {
  /**
   * Origins whose manifest requests are cached, each a bare `http(s)` origin such as
   * `https://registry.example` (no path, query or credentials), or `'*'` for any origin.
   * Query parameter: `upstream`, repeated.
   * @defaultValue `[self.location.origin]`, the worker's own origin
   */
  upstreams?: readonly string[] | '*';
  /**
   * Seconds a stored record lives after upstream last confirmed it; `0` means records
   * never expire. A whole number, at least 0.
   * @defaultValue 604800 (7 days)
   */
  ttl?: number;
  /**
   * Seconds a tag's stored answer is served without asking upstream; after that, each tag
   * request is re-checked with a `HEAD`. A whole number, at least 0.
   * @defaultValue 0
   */
  fresh?: number;
  /**
   * Seconds, after the `fresh` window, during which a stored tag is served at once while a
   * `HEAD` re-check runs in the background (RFC 5861's stale-while-revalidate); a tag that
   * moved is fetched and stored then, and a `tag-moved` event tells the pages. Never
   * applies to private records, nor to requests sent with `Cache-Control: no-cache`. `0`
   * re-checks before answering. A whole number, at least 0.
   * @defaultValue 0
   */
  swr?: number;
  /**
   * Milliseconds to wait for upstream while re-checking a tag, before serving the stored
   * answer. A whole number, at least 1.
   * @defaultValue 3000
   */
  timeout?: number;
  /**
   * Storage budget in bytes: the stored manifests' total size, beyond which the least
   * recently used are evicted. A whole number, at least 1.
   * @defaultValue 67108864 (64 MiB)
   */
  maxBytes?: number;
}

/** Reads an options object. @internal */
export function resolveOptions(options: ManifestCacheOptions, ownOrigin: string): RegcacheConfig {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('options', 'expected an object such as { upstreams: ["https://registry.example"] }', 'option');
  }
  // The query's names, with `upstreams` plural as it is a list; `router` is
  // registerManifestCache()'s, and not read here.
  rejectUnknown(Object.keys(options), ['upstreams', ...NUMERIC, 'router'], 'option');
  const input: Unchecked = { numbers: options };
  const { upstreams } = options;
  if (upstreams === '*') input.upstreams = { name: 'upstreams', values: ['*'] };
  else if (upstreams !== undefined) {
    if (!Array.isArray(upstreams) || upstreams.length === 0) {
      throw new ConfigError('upstreams', 'expected a non-empty array of origins, or "*"', 'option');
    }
    for (const u of upstreams as unknown[]) {
      if (typeof u !== 'string') throw new ConfigError('upstreams', `${show(u)} is not a string`, 'option');
    }
    input.upstreams = { name: 'upstreams', values: upstreams };
  }
  return validate(input, ownOrigin, 'option');
}

/** The query string that configures the ready-made worker as these options do. @internal */
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

/** Parameters in `own` replace those of the same name in `baked`. @internal */
export function mergeQuery(baked: string, own: string): URLSearchParams {
  const merged = new URLSearchParams(baked);
  const mine = new URLSearchParams(own);
  for (const key of new Set(mine.keys())) {
    merged.delete(key);
    for (const value of mine.getAll(key)) merged.append(key, value);
  }
  return merged;
}
