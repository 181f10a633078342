// Turns what went wrong with a registry into a sentence a person can act on.

export type ProblemKind = 'offline' | 'network' | 'not-found' | 'unauthorized' | 'denied' | 'rate-limited' | 'server' | 'invalid';

export class RegistryProblem extends Error {
  override name = 'RegistryProblem';
  constructor(
    readonly kind: ProblemKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface ErrorBody {
  code?: string;
  message?: string;
  detail?: unknown;
}

// The first entry of an OCI distribution error body, if the body is one.
export function firstError(text: string): ErrorBody | undefined {
  try {
    const parsed = JSON.parse(text) as { errors?: ErrorBody[] };
    return Array.isArray(parsed.errors) ? parsed.errors[0] : undefined;
  } catch {
    return undefined;
  }
}

export interface Subject {
  host: string;
  repository: string;
  // What was asked for: a tag, a digest, or "the config blob sha256:…".
  what: string;
}

const shortDigest = (d: string) => (/^sha\d+:/.test(d) ? `${d.slice(0, d.indexOf(':') + 13)}…` : d);

function detailField(detail: unknown, field: string): string | undefined {
  if (detail && typeof detail === 'object' && field in detail) {
    const value = (detail as Record<string, unknown>)[field];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

export function problemFromAnswer(
  status: number,
  statusText: string,
  text: string,
  subject: Subject,
  retryAfter: string | null,
): RegistryProblem {
  const error = firstError(text);
  const said = error?.message ? ` (“${error.message}”)` : '';
  const { host, repository, what } = subject;
  switch (status) {
    case 401:
      return new RegistryProblem(
        'unauthorized',
        `${host} did not let the inspector read ${repository}${said}. The repository may not exist, or it may be private: the inspector only asks for anonymous tokens.`,
        status,
      );
    case 403:
      return new RegistryProblem('denied', `${host} refused access to ${repository}${said}.`, status);
    case 404: {
      if (error?.code === 'NAME_UNKNOWN') {
        return new RegistryProblem('not-found', `${host} has no repository named ${repository}.`, status);
      }
      if (error?.code === 'BLOB_UNKNOWN') {
        return new RegistryProblem('not-found', `${host} has no ${what} in ${repository}.`, status);
      }
      if (error?.code === 'MANIFEST_UNKNOWN' && error.message && error.message !== 'manifest unknown') {
        return new RegistryProblem(
          'not-found',
          `${host} has ${what} in ${repository}, but not in a form the inspector accepts (“${error.message}”).`,
          status,
        );
      }
      const tag = detailField(error?.detail, 'Tag');
      if (tag !== undefined) {
        return new RegistryProblem('not-found', `${repository} on ${host} has no tag “${tag}” (or the repository does not exist).`, status);
      }
      const revision = detailField(error?.detail, 'Revision');
      if (revision !== undefined) {
        return new RegistryProblem('not-found', `${repository} on ${host} has no manifest ${shortDigest(revision)}.`, status);
      }
      return new RegistryProblem('not-found', `${host} found no ${what} in ${repository} (404${said}).`, status);
    }
    case 429: {
      const wait = retryAfter && /^\d+$/.test(retryAfter) ? ` It asks to wait ${retryAfter} seconds.` : ' Try again in a while.';
      return new RegistryProblem(
        'rate-limited',
        `${host} is limiting requests and refused this one (429 Too Many Requests).${wait}`,
        status,
      );
    }
    case 502:
      if (error?.code === 'DIGEST_INVALID') {
        return new RegistryProblem('invalid', `The ${what} that ${host} sent does not match its digest, so it was refused${said}.`, status);
      }
  }
  if (status >= 500) {
    return new RegistryProblem('server', `${host} failed while answering for ${repository} (${status} ${statusText}${said}).`, status);
  }
  return new RegistryProblem('server', `${host} answered ${status} ${statusText} for ${what} in ${repository}${said}.`, status);
}

/**
 * What may explain a failed request to a registry on another origin: `proxy` where the dev
 * server's proxy mode exists to get around missing CORS headers, `cors` where no such server
 * is known (a static host), `null` for the page's own origin.
 */
export type CorsHint = 'proxy' | 'cors' | null;

export function corsHintText(hint: CorsHint): string {
  if (hint === 'proxy')
    return 'it may not allow requests from this page (no CORS headers); the dev server’s proxy mode (REGCACHE_PROXY) gets around that';
  if (hint === 'cors') return 'it may not allow requests from this page: it must send CORS headers for this page’s origin';
  return '';
}

export function problemFromNetwork(subject: Subject, online: boolean, hint: CorsHint): RegistryProblem {
  if (!online) {
    return new RegistryProblem(
      'offline',
      `You are offline, and ${subject.repository} ${subject.what} is not in the cache: it was never viewed here, or its record was purged or has expired.`,
    );
  }
  const why = hint ? ` The registry may be down, or ${corsHintText(hint)}.` : ' The registry may be down or unreachable from here.';
  return new RegistryProblem('network', `Could not reach ${subject.host} for ${subject.repository} ${subject.what}.${why}`);
}
