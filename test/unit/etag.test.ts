import { describe, expect, it } from 'vitest';
import { etagMatches } from '../../src/core/http/etag.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const TAGS = [DIGEST, `"${DIGEST}"`];

describe('etagMatches', () => {
  it('matches any of the tags the response goes by', () => {
    expect(etagMatches(`"${DIGEST}"`, TAGS)).toBe(true);
    expect(etagMatches(DIGEST, TAGS)).toBe(true);
    expect(etagMatches('"v7"', ['"v7"'])).toBe(true);
  });

  it('compares weakly and reads a list', () => {
    expect(etagMatches(`W/"${DIGEST}"`, TAGS)).toBe(true);
    expect(etagMatches(`"sha256:${'0'.repeat(64)}", "${DIGEST}"`, TAGS)).toBe(true);
  });

  it('matches * and nothing else', () => {
    expect(etagMatches('*', TAGS)).toBe(true);
    expect(etagMatches(`"sha256:${'0'.repeat(64)}"`, TAGS)).toBe(false);
    expect(etagMatches(null, TAGS)).toBe(false);
    expect(etagMatches(undefined, TAGS)).toBe(false);
    expect(etagMatches('', TAGS)).toBe(false);
  });

  it('never matches an empty member against a missing tag', () => {
    expect(etagMatches('"x", ', [null, ''])).toBe(false);
  });
});
