import { describe, expect, it } from 'vitest';
import { nextPage } from '../../inspector/page/link-header.js';
import { editDistance, suggestions } from '../../inspector/page/listing.js';
import { catalogPage } from '../../inspector/server/distribution-quirks.js';

const at = new URL('http://registry.test/v2/_catalog?n=2');

describe('nextPage', () => {
  it('follows distribution’s relative Link and an absolute one on the same origin and path', () => {
    expect(nextPage('</v2/_catalog?last=b&n=2>; rel="next"', at)).toEqual({ url: new URL('http://registry.test/v2/_catalog?last=b&n=2') });
    expect(nextPage('<http://registry.test/v2/_catalog?last=c>; rel=next', at)).toEqual({
      url: new URL('http://registry.test/v2/_catalog?last=c'),
    });
    expect(nextPage('</x>; rel="prev", </v2/_catalog?last=d>; rel="next"', at)).toEqual({
      url: new URL('http://registry.test/v2/_catalog?last=d'),
    });
  });
  it('has no next page without a rel=next', () => {
    expect(nextPage(null, at)).toBeNull();
    expect(nextPage('', at)).toBeNull();
    expect(nextPage('</v2/_catalog?last=b>; rel="prev"', at)).toBeNull();
    expect(nextPage('garbage', at)).toBeNull();
  });
  it('refuses another origin, scheme or path, and an overlong header', () => {
    for (const target of [
      'http://evil.test/v2/_catalog',
      'https://registry.test/v2/_catalog',
      '//evil.test/v2/_catalog',
      'javascript:alert(1)',
    ]) {
      expect(nextPage(`<${target}>; rel="next"`, at)).toMatchObject({ refused: expect.stringContaining('another origin') });
    }
    expect(nextPage('</v2/library/x/tags/list>; rel="next"', at)).toMatchObject({ refused: expect.stringContaining('another path') });
    expect(nextPage('</v2/../v2/_catalog/../../admin>; rel="next"', at)).toMatchObject({
      refused: expect.stringContaining('another path'),
    });
    expect(nextPage(`</v2/_catalog?last=${'a'.repeat(5000)}>; rel="next"`, at)).toMatchObject({
      refused: expect.stringContaining('Link header'),
    });
  });
});

describe('suggestions', () => {
  it('offers close and related names, closest first, and nothing far', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(suggestions('dockr', ['latest', 'oci', 'docker'])).toEqual(['docker']);
    expect(suggestions('1.2', ['1.27', '1.26', 'latest', '2.0'])).toEqual(['1.26', '1.27', '2.0']);
    expect(suggestions('zzzzzz', ['latest', 'oci'])).toEqual([]);
  });
});

describe('catalogPage (distribution 2.8)', () => {
  const names = ['b', 'a/b', 'a-b', 'c'];
  it('pages in path order, with a Link only when more names follow', () => {
    expect(catalogPage(names, new URLSearchParams('n=2'))).toEqual({
      repositories: ['a/b', 'a-b'],
      link: '</v2/_catalog?last=a-b&n=2>; rel="next"',
    });
    expect(catalogPage(names, new URLSearchParams('n=2&last=a-b'))).toEqual({ repositories: ['b', 'c'], link: null });
    expect(catalogPage(names, new URLSearchParams('n=0'))).toEqual({ repositories: [], link: null });
    expect(catalogPage(names, new URLSearchParams('n=x')).repositories).toHaveLength(4);
  });
});
