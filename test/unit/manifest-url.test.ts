import { describe, expect, it } from 'vitest';
import { isValidDigest, isValidName, isValidTag, parseManifestUrl } from '../../src/core/oci/grammar.js';

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

describe('digests', () => {
  it.each([SHA256, SHA512])('accepts %s', (d) => expect(isValidDigest(d)).toBe(true));
  it.each([
    `sha256:${'a'.repeat(63)}`,
    `sha256:${'A'.repeat(64)}`,
    `sha512:${'a'.repeat(64)}`,
    `md5:${'a'.repeat(32)}`,
    `sha256:${'g'.repeat(64)}`,
    'sha256:',
  ])('rejects %s', (d) => expect(isValidDigest(d)).toBe(false));
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
