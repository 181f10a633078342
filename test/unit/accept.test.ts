import { describe, expect, it } from 'vitest';
import { acceptKey, acceptMembers, accepts, acceptTypes, mediaTypeOf, parseAccept } from '../../src/core/http/accept.js';
import { KNOWN_TYPES } from '../../src/core/oci/media-types.js';

const OCI = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER = 'application/vnd.docker.distribution.manifest.v2+json';

describe('acceptMembers', () => {
  it('reads each member as written, with whether it says q=0', () => {
    expect(acceptMembers(` ${OCI.toUpperCase()} ;Q=0, ${DOCKER};q=0.5, json`)).toEqual([
      { type: OCI.toUpperCase(), refused: true },
      { type: DOCKER, refused: false },
      { type: 'json', refused: false },
    ]);
  });
});

describe('Accept normalisation', () => {
  it('is empty for a missing header', () => {
    expect(parseAccept(null)).toEqual([]);
    expect(parseAccept('')).toEqual([]);
  });

  it('sorts, lowercases, strips parameters and removes duplicates', () => {
    expect(parseAccept(`${DOCKER}, ${OCI.toUpperCase()};q=0.9 ,${DOCKER}`)).toEqual([DOCKER, OCI]);
  });

  it('gives the same key for the same set in any order or spelling', () => {
    const a = acceptKey(parseAccept(`${OCI}, ${DOCKER}`));
    const b = acceptKey(parseAccept(`${DOCKER};q=0.5,${OCI}`));
    expect(a).toBe(b);
    expect(a).not.toBe(acceptKey(parseAccept(OCI)));
  });

  it('treats repeated headers joined by commas like one list', () => {
    expect(parseAccept(`${OCI}, , ${DOCKER}`)).toEqual([DOCKER, OCI]);
  });

  it('drops what is not a media range, so it can never read as a short code', () => {
    expect(parseAccept(`1, json, */*, ${OCI}`)).toEqual(['*/*', OCI]);
    expect(acceptKey(parseAccept('1'))).toBe('');
    expect(acceptKey(parseAccept('1'))).not.toBe(acceptKey(parseAccept(KNOWN_TYPES[1] ?? '')));
  });

  it('drops types marked unacceptable with q=0', () => {
    expect(parseAccept(`${OCI};q=0, ${DOCKER}`)).toEqual([DOCKER]);
    expect(parseAccept(`${OCI}; q=0.000`)).toEqual([]);
    expect(parseAccept(`${OCI}; q=0.001`)).toEqual([OCI]);
  });

  it('matches a content type against the accepted set without its parameters', () => {
    const set = parseAccept(OCI);
    expect(accepts(set, `${OCI}; charset=utf-8`)).toBe(true);
    expect(accepts(set, DOCKER)).toBe(false);
    expect(accepts(parseAccept('*/*'), OCI)).toBe(false);
    expect(mediaTypeOf(null)).toBe('');
  });
});

describe('acceptKey', () => {
  it('writes known manifest types as their position and keeps others as they are', () => {
    const four = parseAccept(
      `${OCI}, ${DOCKER}, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json`,
    );
    expect(acceptKey(four)).toBe('2,3,0,1');
    expect(acceptKey(parseAccept(`application/json, ${OCI}`))).toBe('application/json,1');
    expect(acceptKey([])).toBe('');
  });

  it('is far shorter than the set it stands for', () => {
    const all = [...KNOWN_TYPES];
    expect(acceptKey(all).length).toBeLessThan(all.join(',').length / 10);
  });

  it('spells out again with acceptTypes, for every known type and others', () => {
    const sets = [[], [...KNOWN_TYPES], [OCI], ['*/*', 'application/json', DOCKER], ['application/x.3+json']];
    for (const set of sets) {
      const types = parseAccept(set.join(', '));
      expect(acceptTypes(acceptKey(types))).toEqual(types);
    }
  });

  it('keeps the order of KNOWN_TYPES, which stored keys depend on', () => {
    expect(KNOWN_TYPES.slice(0, 4)).toEqual([
      'application/vnd.oci.image.index.v1+json',
      OCI,
      'application/vnd.docker.distribution.manifest.list.v2+json',
      DOCKER,
    ]);
  });
});

describe('parseAccept memo', () => {
  it('parses a header once and hands out the same list', () => {
    const header = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json';
    const first = parseAccept(header);
    expect(parseAccept(header)).toBe(first);
    expect(parseAccept(`${header}, application/json;q=0`)).toEqual(first);
  });
});
