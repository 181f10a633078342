import { describe, expect, it } from 'vitest';
import {
  canonicalString,
  familiarString,
  ImageReferenceError,
  manifestReference,
  parseReference,
  withDigest,
} from '../../inspector/page/reference.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference: forms people paste', () => {
  it.each([
    ['alpine', 'docker.io', 'library/alpine', 'latest', undefined],
    ['alpine:3.20', 'docker.io', 'library/alpine', '3.20', undefined],
    ['  alpine:3.20 ', 'docker.io', 'library/alpine', '3.20', undefined],
    ['bitnami/redis:7', 'docker.io', 'bitnami/redis', '7', undefined],
    ['docker.io/alpine', 'docker.io', 'library/alpine', 'latest', undefined],
    ['index.docker.io/library/alpine:edge', 'docker.io', 'library/alpine', 'edge', undefined],
    ['ghcr.io/owner/tool:v1.2.3', 'ghcr.io', 'owner/tool', 'v1.2.3', undefined],
    ['localhost:5000/app:dev', 'localhost:5000', 'app', 'dev', undefined],
    ['localhost/app', 'localhost', 'app', 'latest', undefined],
    ['127.0.0.1:5000/a/b/c', '127.0.0.1:5000', 'a/b/c', 'latest', undefined],
    ['[::1]:5000/app:1', '[::1]:5000', 'app', '1', undefined],
    [`registry.example/team/app@${D}`, 'registry.example', 'team/app', undefined, D],
    [`alpine@${D}`, 'docker.io', 'library/alpine', undefined, D],
    [`alpine:3.20@${D}`, 'docker.io', 'library/alpine', '3.20', D],
    ['MyRegistry/app', 'MyRegistry', 'app', 'latest', undefined],
    ['a__b-c/e--f.g:T_1', 'docker.io', 'a__b-c/e--f.g', 'T_1', undefined],
  ])('%s', (input, domain, path, tag, digest) => {
    const ref = parseReference(input);
    expect(ref.domain).toBe(domain);
    expect(ref.path).toBe(path);
    expect(ref.tag).toBe(tag);
    expect(ref.digest).toBe(digest);
  });

  it('knows which inputs named their registry', () => {
    expect(parseReference('alpine').explicitDomain).toBe(false);
    expect(parseReference('foo/bar').explicitDomain).toBe(false);
    expect(parseReference('docker.io/foo/bar').explicitDomain).toBe(true);
    expect(parseReference('localhost/foo').explicitDomain).toBe(true);
  });

  it('asks the registry for the digest when there is one, else the tag', () => {
    expect(manifestReference(parseReference('alpine'))).toBe('latest');
    expect(manifestReference(parseReference(`alpine:3@${D}`))).toBe(D);
  });

  it('accepts sha512 digests', () => {
    expect(parseReference(`app@sha512:${'0'.repeat(128)}`).digest).toBe(`sha512:${'0'.repeat(128)}`);
  });
});

describe('parseReference: Docker Hub rules', () => {
  it('puts single names under library/', () => {
    expect(parseReference('nginx').path).toBe('library/nginx');
    expect(parseReference('docker.io/nginx').path).toBe('library/nginx');
  });
  it('leaves user repositories alone', () => {
    expect(parseReference('grafana/grafana').path).toBe('grafana/grafana');
  });
  it('does not add library/ on other registries', () => {
    expect(parseReference('quay.io/nginx').path).toBe('nginx');
  });
  it('treats a first component without dot, port or capitals as a Hub user', () => {
    const ref = parseReference('myhost/app');
    expect(ref.domain).toBe('docker.io');
    expect(ref.path).toBe('myhost/app');
  });
  it('prints references the short way and the full way', () => {
    expect(familiarString(parseReference('docker.io/library/alpine:3'))).toBe('alpine:3');
    expect(familiarString(parseReference('grafana/grafana'))).toBe('grafana/grafana:latest');
    expect(familiarString(parseReference(`ghcr.io/o/a@${D}`))).toBe(`ghcr.io/o/a@${D}`);
    // A repository whose first part reads as a host keeps docker.io, so that it reads back the same.
    for (const path of ['my.org/app', 'localhost/app', 'a.b/c/d']) {
      const ref = { domain: 'docker.io', explicitDomain: false, path, tag: '1' };
      expect(familiarString(ref)).toBe(`docker.io/${path}:1`);
      expect(parseReference(familiarString(ref))).toMatchObject({ domain: 'docker.io', path, tag: '1' });
    }
    expect(canonicalString(parseReference('alpine'))).toBe('docker.io/library/alpine:latest');
  });
  it('pins a reference to a digest, dropping its tag', () => {
    const pinned = withDigest(parseReference('hello:latest'), D);
    expect(familiarString(pinned)).toBe(`hello@${D}`);
    expect(pinned.tag).toBeUndefined();
  });
});

describe('parseReference: bad input says what is wrong', () => {
  it.each([
    ['', /enter an image reference/],
    ['   ', /enter an image reference/],
    ['alpine 3', /no spaces/],
    ['https://ghcr.io/owner/app', /leave out “https:\/\/”/],
    ['Alpine', /lower-case: “Alpine”/],
    ['library/Alpine:3', /lower-case: “Alpine”/],
    ['ghcr.io/Owner/app', /lower-case: “Owner”/],
    ['foo//bar', /empty part/],
    ['foo/', /empty part/],
    ['-foo', /“-foo” is not a valid repository name part/],
    ['foo-:1', /“foo-” is not a valid repository name part/],
    ['alpine:', /tag after “:” is empty/],
    ['alpine:-x', /“-x” is not a valid tag/],
    ['alpine:a+b', /“a\+b” is not a valid tag/],
    [`alpine:${'t'.repeat(129)}`, /129 characters long; tags have at most 128/],
    ['alpine@', /digest after “@” is empty/],
    ['alpine@latest', /“latest” is not a digest/],
    ['alpine@sha256:abc', /sha256 digest has 64 hex digits, this one has 3/],
    [`alpine@sha256:${'A'.repeat(64)}`, /lower-case hex/],
    [`alpine@md5:${'a'.repeat(32)}`, /“md5” is not a digest algorithm/],
    [`a@${D}@${D}`, /at most one “@”/],
    [':tag', /no repository name/],
    ['ghcr.io/', /names the registry “ghcr.io” but no repository/],
    ['exa_mple.com/app', /lower-case|not a registry host|not a valid repository name part/],
    ['host.example:port/app', /not a registry host/],
    ['a__b.c/app', /“a__b.c” is not a registry host/],
    [`x/${'a'.repeat(260)}`, /at most 255/],
  ])('%j', (input, message) => {
    expect(() => parseReference(input)).toThrow(ImageReferenceError);
    expect(() => parseReference(input)).toThrow(message);
  });
});
