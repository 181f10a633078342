import { describe, expect, it } from 'vitest';
import { readCacheStatus } from '../../inspector/page/cache-status.js';

describe('the Cache-Status badge', () => {
  it.each([
    ['regcache; fwd=miss; stored; ttl=604800', 'miss', 604800],
    ['regcache; fwd=stale; stored; ttl=60', 'miss', 60],
    ['regcache; fwd=miss; fwd-status=404', 'miss', undefined],
    ['regcache; fwd=vary-miss; stored; ttl=5', 'miss', 5],
    ['regcache; hit; ttl=3599', 'hit', 3599],
    ['regcache; hit; ttl=10; detail=revalidated', 'revalidated', 10],
    ['regcache; hit; ttl=20; detail=stale-while-revalidate', 'refreshing', 20],
    ['regcache; hit; fwd-status=503; detail=stale', 'stale', undefined],
    ['regcache; hit; detail=stale', 'stale', undefined],
    ['other-cache; hit, regcache; fwd=miss; stored; ttl=1', 'miss', 1],
  ] as const)('%s → %s', (header, badge, ttl) => {
    const verdict = readCacheStatus(header);
    expect(verdict.badge).toBe(badge);
    expect(verdict.ttl).toBe(ttl);
    expect(verdict.raw).toBe(header);
  });

  it('explains why an answer was stale', () => {
    expect(readCacheStatus('regcache; hit; fwd-status=503; detail=stale').explanation).toBe(
      'Served from the cache: the registry answered 503, so the stored copy was used.',
    );
    expect(readCacheStatus('regcache; hit; detail=stale').explanation).toContain('could not be reached');
  });

  it('says when an answer did not pass through regcache', () => {
    expect(readCacheStatus(null).badge).toBe('uncached');
    expect(readCacheStatus('cdn; hit').badge).toBe('uncached');
  });
});
