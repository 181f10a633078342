// Reads regcache's RFC 9211 Cache-Status into the badge the inspector shows.
import { CACHE_NAME, type CacheStatus, type ForwardReason } from '../../src/core/http/cache-status.js';

export type Badge = 'miss' | 'hit' | 'revalidated' | 'refreshing' | 'stale' | 'uncached';

export interface CacheVerdict {
  badge: Badge;
  // A sentence for the badge's tooltip and for screen readers.
  explanation: string;
  ttl?: number;
  raw: string | null;
}

interface Entry {
  cache: string;
  params: Map<string, string | true>;
}

function entries(header: string): Entry[] {
  return header.split(',').map((member) => {
    const [cache = '', ...params] = member.split(';').map((p) => p.trim());
    const map = new Map<string, string | true>();
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq === -1) map.set(p, true);
      else map.set(p.slice(0, eq), p.slice(eq + 1).replace(/^"|"$/g, ''));
    }
    return { cache, params: map };
  });
}

export function readCacheStatus(header: string | null): CacheVerdict {
  const ours = header ? entries(header).find((e) => e.cache === CACHE_NAME) : undefined;
  if (!header || !ours) {
    return { badge: 'uncached', explanation: 'This answer did not pass through regcache.', raw: header };
  }
  const p = ours.params;
  const ttlText = p.get('ttl');
  const ttl = typeof ttlText === 'string' ? Number(ttlText) : undefined;
  const withTtl = (v: Omit<CacheVerdict, 'raw' | 'ttl'>): CacheVerdict => ({ ...v, raw: header, ...(ttl !== undefined ? { ttl } : {}) });
  if (p.has('hit')) {
    // Typed by what the worker writes, so a renamed value fails to compile here.
    const detail = p.get('detail') as CacheStatus['detail'];
    if (detail === 'stale') {
      const status = p.get('fwd-status');
      const why = typeof status === 'string' ? `the registry answered ${status}` : 'the registry could not be reached';
      return withTtl({ badge: 'stale', explanation: `Served from the cache: ${why}, so the stored copy was used.` });
    }
    if (detail === 'stale-while-revalidate') {
      return withTtl({
        badge: 'refreshing',
        explanation:
          'Served from the cache at once while the registry is asked in the background: if the tag has moved, this view may be refreshed with the new manifest.',
      });
    }
    if (detail === 'revalidated') {
      return withTtl({
        badge: 'revalidated',
        explanation: 'Served from the cache after the registry confirmed the tag still points to it.',
      });
    }
    return withTtl({ badge: 'hit', explanation: 'Served from the cache without asking the registry.' });
  }
  const fwd = p.get('fwd') as ForwardReason | undefined;
  const stored = p.has('stored') ? ' and stored' : ' (not stored)';
  const reason =
    fwd === 'stale' ? 'the tag had moved' : fwd === 'vary-miss' ? 'the stored copy has another media type' : 'it was not in the cache';
  return withTtl({ badge: 'miss', explanation: `Fetched from the registry because ${reason}${stored}.` });
}
