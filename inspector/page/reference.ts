// Image references as people paste them, read the way docker and distribution read them
// (github.com/distribution/reference, ParseNormalizedNamed): "alpine" is
// docker.io/library/alpine:latest, the first path component is a registry only when it
// has a dot or a port, is "localhost", or has capital letters. The grammar of names, tags,
// hosts and digests is src/core/oci/'s; this parser only says what is wrong, for people.
import { DIGEST_ALGORITHMS, type DigestProblem, digestProblem } from '../../src/core/oci/digest.js';
import { isValidDomain, isValidNameComponent, isValidTag, MAX_NAME_LENGTH, MAX_TAG_LENGTH, splitTag } from '../../src/core/oci/grammar.js';

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPOSITORY_PREFIX = 'library/';

export interface ImageReference {
  // The registry host, with its port: docker.io when none was given.
  domain: string;
  // Whether the input named the registry itself.
  explicitDomain: boolean;
  // The repository path inside the registry, e.g. library/alpine.
  path: string;
  tag?: string;
  digest?: string;
}

export class ImageReferenceError extends Error {
  override name = 'ImageReferenceError';
}

function fail(message: string): never {
  throw new ImageReferenceError(message);
}

const ALGORITHM_NAMES = `${DIGEST_ALGORITHMS.slice(0, -1).join(', ')} or ${DIGEST_ALGORITHMS.at(-1)}`;

function digestMessage(digest: string, problem: DigestProblem): string {
  switch (problem.kind) {
    case 'format':
      return `“${digest}” is not a digest: expected an algorithm and hex digits, such as sha256:4bcff6…`;
    case 'algorithm':
      return `“${problem.algorithm}” is not a digest algorithm registries use (${ALGORITHM_NAMES})`;
    case 'encoding':
      return `the digest must be lower-case hex digits after “${problem.algorithm}:”`;
    case 'length':
      return `a ${problem.algorithm} digest has ${problem.expected} hex digits, this one has ${problem.actual}`;
  }
}

function checkDigest(digest: string): void {
  const problem = digestProblem(digest);
  if (problem) fail(digestMessage(digest, problem));
}

function checkTag(tag: string): void {
  if (tag === '') fail('the tag after “:” is empty');
  if (tag.length > MAX_TAG_LENGTH) fail(`the tag is ${tag.length} characters long; tags have at most ${MAX_TAG_LENGTH}`);
  if (!isValidTag(tag)) {
    fail(`“${tag}” is not a valid tag: tags are letters, digits, “_”, “.” and “-”, and do not start with “.” or “-”`);
  }
}

function checkPath(path: string): void {
  for (const component of path.split('/')) {
    if (component === '') fail('the repository name has an empty part (two slashes in a row, or a slash at an end)');
    if (component !== component.toLowerCase()) fail(`repository names are lower-case: “${component}” is not`);
    if (!isValidNameComponent(component)) {
      fail(`“${component}” is not a valid repository name part: use lower-case letters and digits, separated by “.”, “_”, “__” or “-”`);
    }
  }
}

// The registry's own form of the reference: the first path component is a domain only
// when it looks like one; Docker Hub's single-component names live under library/.
function splitDomain(name: string): { domain: string; path: string; explicitDomain: boolean } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const isDomain = slash !== -1 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  let domain = isDomain ? first : DEFAULT_DOMAIN;
  let path = isDomain ? name.slice(slash + 1) : name;
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_REPOSITORY_PREFIX + path;
  return { domain, path, explicitDomain: isDomain };
}

export function parseReference(input: string): ImageReference {
  const text = input.trim();
  if (text === '') fail('enter an image reference, such as alpine, nginx:1.27 or ghcr.io/owner/image:tag');
  if (/\s/.test(text)) fail('an image reference has no spaces in it');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (scheme) fail(`leave out “${scheme[0]}”: a reference names a registry host, not a URL`);

  const at = text.indexOf('@');
  if (at !== -1 && text.indexOf('@', at + 1) !== -1) fail('a reference has at most one “@”, before its digest');
  const beforeDigest = at === -1 ? text : text.slice(0, at);
  const digest = at === -1 ? undefined : text.slice(at + 1);
  if (digest !== undefined) {
    if (digest === '') fail('the digest after “@” is empty');
    checkDigest(digest);
  }

  const [name, tag] = splitTag(beforeDigest);
  if (name === '') fail('the reference has no repository name');
  if (tag !== undefined) checkTag(tag);

  const { domain, path, explicitDomain } = splitDomain(name);
  if (explicitDomain && !isValidDomain(domain)) {
    fail(`“${domain}” is not a registry host: expected a host name or IP address, with an optional :port`);
  }
  if (explicitDomain && path === '') fail(`the reference names the registry “${domain}” but no repository`);
  checkPath(path);
  const fullLength = explicitDomain ? domain.length + 1 + path.length : path.length;
  if (fullLength > MAX_NAME_LENGTH) {
    // Said in what was typed: a hidden “library/” is not the person's to count.
    const hidden = fullLength - name.length;
    fail(
      `the repository name is ${name.length} characters long; at most ${MAX_NAME_LENGTH - hidden} are allowed${hidden ? ` (Docker Hub adds “${path.slice(0, hidden)}” in front)` : ''}`,
    );
  }

  const ref: ImageReference = { domain, explicitDomain, path };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  if (tag === undefined && digest === undefined) ref.tag = 'latest';
  return ref;
}

// What the registry is asked for: the digest when there is one (it pins the content), else the tag.
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

// The short name people type: docker.io and library/ left out.
export function familiarName(ref: ImageReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return `${ref.domain}/${ref.path}`;
  // A first component that reads as a host (a catalog may list my.org/app) keeps the registry.
  const first = ref.path.split('/')[0] ?? '';
  if (ref.path.includes('/') && (/[.:]/.test(first) || first === 'localhost')) return `${DEFAULT_DOMAIN}/${ref.path}`;
  return ref.path.startsWith(OFFICIAL_REPOSITORY_PREFIX) && ref.path.split('/').length === 2
    ? ref.path.slice(OFFICIAL_REPOSITORY_PREFIX.length)
    : ref.path;
}

export function familiarString(ref: ImageReference): string {
  let s = familiarName(ref);
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

export function canonicalString(ref: ImageReference): string {
  let s = `${ref.domain}/${ref.path}`;
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

// The same repository, pinned to one digest (a platform of an index, say).
export function withDigest(ref: ImageReference, digest: string): ImageReference {
  checkDigest(digest);
  const { tag: _tag, digest: _digest, ...repository } = ref;
  return { ...repository, digest };
}
