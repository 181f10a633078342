// The grammar of repository names, tags and registry hosts (the distribution spec's, and
// distribution/reference's for hosts), and the manifest URLs regcache answers at all.
// Digests have theirs in digest.ts. Patterns are exported as sources for routes to build on.
import { isCanonicalDigest } from './digest.js';

// One path component of a repository name: lower-case runs joined by ".", "_", "__" or dashes.
export const NAME_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
export const NAME = `${NAME_COMPONENT}(?:/${NAME_COMPONENT})*`;
export const MAX_TAG_LENGTH = 128;
export const TAG = `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,${MAX_TAG_LENGTH - 1}}`;
// distribution caps a repository name, registry host included, at 255 characters.
export const MAX_NAME_LENGTH = 255;

// A registry host as the first component of a reference: a host name (capitals allowed)
// or a bracketed IPv6 address, with an optional port.
const DOMAIN_LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
export const HOST_NAME = `${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*`;
export const PORT = ':[0-9]+';
const IPV6_ADDRESS = '\\[[a-fA-F0-9:]+\\]';
const DOMAIN = `(?:${HOST_NAME}|${IPV6_ADDRESS})(?:${PORT})?`;

const anchored = (source: string) => new RegExp(`^(?:${source})$`);
const NAME_RE = /* @__PURE__ */ anchored(NAME);
const NAME_COMPONENT_RE = /* @__PURE__ */ anchored(NAME_COMPONENT);
const TAG_RE = /* @__PURE__ */ anchored(TAG);
const DOMAIN_RE = /* @__PURE__ */ anchored(DOMAIN);

export function isValidName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME_RE.test(name);
}

export function isValidNameComponent(component: string): boolean {
  return NAME_COMPONENT_RE.test(component);
}

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

export function isValidDomain(domain: string): boolean {
  return DOMAIN_RE.test(domain);
}

// "host:5000/app:1" → ["host:5000/app", "1"]: a colon after the last slash starts the
// tag; one before it belongs to a port. No tag: [reference, undefined].
export function splitTag(reference: string): [name: string, tag: string | undefined] {
  const colon = reference.lastIndexOf(':');
  return colon > reference.lastIndexOf('/') ? [reference.slice(0, colon), reference.slice(colon + 1)] : [reference, undefined];
}

// --- Manifest URLs ---------------------------------------------------------------------

const MANIFEST_PATH = /^\/v2\/(.+)\/manifests\/([^/]+)$/;

export interface ManifestTarget {
  upstream: string;
  repository: string;
  reference: string;
  isDigest: boolean;
}

export function parseManifestUrl(url: URL): ManifestTarget | null {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const match = MANIFEST_PATH.exec(url.pathname);
  if (!match) return null;
  const [, repository = '', reference = ''] = match;
  if (!isValidName(repository)) return null;
  const isDigest = reference.includes(':');
  // Only digests regcache keys records by are answered; any other digest is left alone.
  if (isDigest ? !isCanonicalDigest(reference) : !isValidTag(reference)) return null;
  return { upstream: url.origin, repository, reference, isDigest };
}
