import { describe, expect, it } from 'vitest';
import { formatCacheStatus } from '../../src/core/http/cache-status.js';

describe('Cache-Status', () => {
  it('names the cache first', () => {
    expect(formatCacheStatus({})).toBe('regcache');
  });

  it('formats a hit with its ttl in whole seconds', () => {
    expect(formatCacheStatus({ hit: true, ttl: 59.9 })).toBe('regcache; hit; ttl=59');
  });

  it('formats a revalidated hit', () => {
    expect(formatCacheStatus({ hit: true, detail: 'revalidated', ttl: 10 })).toBe('regcache; hit; ttl=10; detail=revalidated');
  });

  it('formats a stale hit with the forward status', () => {
    expect(formatCacheStatus({ hit: true, detail: 'stale', fwdStatus: 503 })).toBe('regcache; hit; fwd-status=503; detail=stale');
  });

  it('formats a stored miss that waited on another request', () => {
    expect(formatCacheStatus({ fwd: 'miss', stored: true, collapsed: true, ttl: 604800 })).toBe(
      'regcache; fwd=miss; stored; collapsed; ttl=604800',
    );
  });

  it('omits ttl for records that never expire and clamps negatives', () => {
    expect(formatCacheStatus({ hit: true, ttl: Infinity })).toBe('regcache; hit');
    expect(formatCacheStatus({ hit: true, ttl: -3 })).toBe('regcache; hit; ttl=0');
  });
});
