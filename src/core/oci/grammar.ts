// The URL grammar of the distribution API: which requests regcache answers at all.
import { isCanonicalDigest } from './digest.js';

const NAME_COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const NAME = new RegExp(`^${NAME_COMPONENT}(?:/${NAME_COMPONENT})*$`);
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const MANIFEST_PATH = /^\/v2\/(.+)\/manifests\/([^/]+)$/;

export interface ManifestTarget {
  upstream: string;
  repository: string;
  reference: string;
  isDigest: boolean;
}

export function isValidName(name: string): boolean {
  // distribution caps a repository name at 255 characters.
  return name.length <= 255 && NAME.test(name);
}

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

// Only canonical digests of the algorithms regcache can verify are cached; any other
// digest is left alone.
export const isValidDigest = isCanonicalDigest;

export function parseManifestUrl(url: URL): ManifestTarget | null {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const match = MANIFEST_PATH.exec(url.pathname);
  if (!match) return null;
  const [, repository = '', reference = ''] = match;
  if (!isValidName(repository)) return null;
  const isDigest = reference.includes(':');
  if (isDigest ? !isValidDigest(reference) : !isValidTag(reference)) return null;
  return { upstream: url.origin, repository, reference, isDigest };
}
