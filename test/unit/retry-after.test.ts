import { describe, expect, it } from 'vitest';
import { parseRetryAfter, RETRY_AFTER_CAP_MS, RetryAfterGate, retryAfterSeconds } from '../../src/sw/upstream/upstream.js';

// An injected clock: every call takes `now` explicitly.
const NOW = Date.parse('2026-12-05T12:00:00Z');
const ORIGIN = 'https://registry.example';

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => expect(parseRetryAfter('120', NOW)).toBe(NOW + 120_000));
  it('reads an HTTP date', () => expect(parseRetryAfter('Sat, 05 Dec 2026 12:02:00 GMT', NOW)).toBe(NOW + 120_000));
  it('caps delay-seconds', () => expect(parseRetryAfter('100000', NOW)).toBe(NOW + RETRY_AFTER_CAP_MS));
  it('caps a date far ahead', () => expect(parseRetryAfter('Fri, 01 Jan 2100 00:00:00 GMT', NOW)).toBe(NOW + RETRY_AFTER_CAP_MS));
  it('caps a number too large for a double', () => expect(parseRetryAfter('9'.repeat(400), NOW)).toBe(NOW + RETRY_AFTER_CAP_MS));
  it.each(['', 'soon', '-5', '1.5', 'NaN'])('ignores %j', (value) => expect(parseRetryAfter(value, NOW)).toBeNull());
  it('the cap is ten minutes', () => expect(RETRY_AFTER_CAP_MS).toBe(600_000));
});

describe('RetryAfterGate', () => {
  it('holds for the seconds asked, then lets re-checks through', () => {
    const gate = new RetryAfterGate();
    expect(gate.block(ORIGIN, '30', NOW)).toBe(NOW + 30_000);
    expect(gate.blockedUntil(ORIGIN, NOW + 29_999)).toBe(NOW + 30_000);
    expect(gate.blockedUntil('https://other.example', NOW)).toBeNull();
    expect(gate.blockedUntil(ORIGIN, NOW + 30_000)).toBeNull();
  });

  it('a hostile Retry-After: 100000 holds only until the cap', () => {
    const gate = new RetryAfterGate();
    gate.block(ORIGIN, '100000', NOW);
    expect(gate.blockedUntil(ORIGIN, NOW + RETRY_AFTER_CAP_MS - 1)).not.toBeNull();
    expect(gate.blockedUntil(ORIGIN, NOW + RETRY_AFTER_CAP_MS)).toBeNull();
  });

  it('a date in the past, or none, blocks nothing', () => {
    const gate = new RetryAfterGate();
    expect(gate.block(ORIGIN, 'Thu, 01 Jan 2026 00:00:00 GMT', NOW)).toBeNull();
    expect(gate.block(ORIGIN, null, NOW)).toBeNull();
    expect(gate.blockedUntil(ORIGIN, NOW)).toBeNull();
  });

  it('says how many whole seconds are left', () => {
    expect(retryAfterSeconds(NOW + 1_500, NOW)).toBe(2);
    expect(retryAfterSeconds(NOW - 1, NOW)).toBe(0);
  });
});
