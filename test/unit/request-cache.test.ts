import { describe, expect, it } from 'vitest';
import { requestsNoStore } from '../../src/sw/strategy/ask.js';

const URL_ = 'https://r.example/v2/library/x/manifests/v1';

describe('requestsNoStore', () => {
  it('honours the cache mode a page chose', () => {
    expect(requestsNoStore(new Request(URL_, { cache: 'no-store' }))).toBe(true);
    expect(requestsNoStore(new Request(URL_))).toBe(false);
  });

  it('honours Cache-Control: no-store whatever the mode', () => {
    expect(requestsNoStore(new Request(URL_, { headers: { 'Cache-Control': 'max-age=0, No-Store' } }))).toBe(true);
    expect(
      requestsNoStore(new Request(URL_, { cache: 'no-store', headers: { 'If-None-Match': '"x"', 'Cache-Control': 'no-store' } })),
    ).toBe(true);
  });

  // What Firefox hands a worker for fetch(url, { headers: { 'If-None-Match': etag } }).
  it('does not read no-store into a conditional request', () => {
    for (const header of ['If-None-Match', 'If-Modified-Since', 'If-Unmodified-Since', 'If-Match', 'If-Range']) {
      expect(requestsNoStore(new Request(URL_, { cache: 'no-store', headers: { [header]: '"x"' } })), header).toBe(false);
    }
  });
});
