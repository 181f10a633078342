import { describe, expect, it } from 'vitest';
import { acceptKey, accepts, mediaTypeOf, parseAccept } from '../../src/sw/accept.js';

const OCI = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER = 'application/vnd.docker.distribution.manifest.v2+json';

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

describe('parseAccept memo', () => {
  it('parses a header once and hands out the same list', () => {
    const header = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json';
    const first = parseAccept(header);
    expect(parseAccept(header)).toBe(first);
    expect(parseAccept(`${header}, application/json;q=0`)).toEqual(first);
  });
});
