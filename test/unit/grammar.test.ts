import { describe, expect, it } from 'vitest';
import { isValidDomain, isValidName, isValidNameComponent, isValidTag, parseManifestUrl, splitTag } from '../../src/core/oci/grammar.js';

const SHA256 = `sha256:${'a'.repeat(64)}`;
const SHA512 = `sha512:${'0123456789abcdef'.repeat(8)}`;

describe('repository names', () => {
  it.each(['alpine', 'library/alpine', 'a/b/c', 'my-app', 'my--app', 'my_app', 'my__app', 'my.app', 'a0/b1.c2_d3-e4'])(
    'accepts %s',
    (name) => expect(isValidName(name)).toBe(true),
  );
  it.each(['', 'Alpine', '-app', 'app-', 'a//b', '/a', 'a/', 'my___app', 'my..app', 'a_.b', 'a b', 'a'.repeat(256)])('rejects %j', (name) =>
    expect(isValidName(name)).toBe(false),
  );
});

describe('tags', () => {
  it.each(['latest', 'v1.2.3', '_private', 'A-b_c.d', 'x'.repeat(128)])('accepts %s', (tag) => expect(isValidTag(tag)).toBe(true));
  it.each(['', '.hidden', '-dash', 'a/b', 'a:b', 'x'.repeat(129), 'tag with space'])('rejects %j', (tag) =>
    expect(isValidTag(tag)).toBe(false),
  );
});

describe('name components', () => {
  it.each(['a', 'a0', 'my-app', 'my--app', 'my__app', 'my.app'])('accepts %s', (c) => expect(isValidNameComponent(c)).toBe(true));
  it.each(['', 'a/b', 'A', '-a', 'a-', 'a___b', 'a..b'])('rejects %j', (c) => expect(isValidNameComponent(c)).toBe(false));
});

describe('registry hosts', () => {
  it.each(['localhost', 'localhost:5000', 'ghcr.io', 'MyRegistry', '127.0.0.1:5000', 'a-b.example', '[::1]', '[::1]:5000'])(
    'accepts %s',
    (d) => expect(isValidDomain(d)).toBe(true),
  );
  it.each(['', 'exa_mple.com', '-a.example', 'a-.example', 'host:port', 'a..b', '[::1', '::1'])('rejects %j', (d) =>
    expect(isValidDomain(d)).toBe(false),
  );
});

describe('splitTag', () => {
  it('splits at the tag, not at a port', () => {
    expect(splitTag('library/hello:latest')).toEqual(['library/hello', 'latest']);
    expect(splitTag('localhost:5000/app:1')).toEqual(['localhost:5000/app', '1']);
    expect(splitTag('localhost:5000/app')).toEqual(['localhost:5000/app', undefined]);
    expect(splitTag('latest')).toEqual(['latest', undefined]);
    expect(splitTag('app:')).toEqual(['app', '']);
  });
});

describe('parseManifestUrl', () => {
  const parse = (u: string) => parseManifestUrl(new URL(u));

  it('parses a tag reference', () => {
    expect(parse('https://r.example/v2/library/alpine/manifests/3.19')).toEqual({
      upstream: 'https://r.example',
      repository: 'library/alpine',
      reference: '3.19',
      isDigest: false,
    });
  });

  it('parses a digest reference and keeps the port in the origin', () => {
    expect(parse(`http://127.0.0.1:5000/v2/a/b/manifests/${SHA256}`)).toEqual({
      upstream: 'http://127.0.0.1:5000',
      repository: 'a/b',
      reference: SHA256,
      isDigest: true,
    });
  });

  it('answers sha512 digests, and leaves other algorithms to upstream', () => {
    expect(parse(`https://r.example/v2/app/manifests/${SHA512}`)?.isDigest).toBe(true);
    expect(parse(`https://r.example/v2/app/manifests/sha384:${'a'.repeat(96)}`)).toBeNull();
  });

  it('ignores the query string', () => {
    expect(parse('https://r.example/v2/app/manifests/v1?x=1')?.reference).toBe('v1');
  });

  it.each([
    'https://r.example/v2/',
    'https://r.example/v2/app/tags/list',
    `https://r.example/v2/app/blobs/${SHA256}`,
    'https://r.example/v2/App/manifests/v1',
    'https://r.example/v2/app/manifests/.bad',
    'https://r.example/v2/app/manifests/',
    'https://r.example/v2/app/manifests/a/b',
    `https://r.example/v2/app/manifests/md5:${'a'.repeat(32)}`,
    'https://r.example/v3/app/manifests/v1',
    'https://r.example/x/v2/app/manifests/v1',
    'ftp://r.example/v2/app/manifests/v1',
  ])('leaves %s alone', (u) => expect(parse(u)).toBeNull());
});
