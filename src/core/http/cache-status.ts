// RFC 9211 Cache-Status, with regcache as the cache's name.

export type ForwardReason = 'miss' | 'stale' | 'vary-miss' | 'request' | 'bypass' | 'method';

export interface CacheStatus {
  hit?: boolean;
  fwd?: ForwardReason;
  fwdStatus?: number;
  stored?: boolean;
  collapsed?: boolean;
  // Seconds until the stored record expires; omitted for records that never do.
  ttl?: number;
  // retry-after: upstream asked to wait, and nothing stored could be served meanwhile.
  // stale-while-revalidate: served from the store while a re-check runs in the background.
  detail?: 'revalidated' | 'stale' | 'not-stored' | 'retry-after' | 'stale-while-revalidate';
}

export const CACHE_NAME = 'regcache';

export function formatCacheStatus(status: CacheStatus): string {
  const parts: string[] = [CACHE_NAME];
  if (status.hit) parts.push('hit');
  if (status.fwd) parts.push(`fwd=${status.fwd}`);
  if (status.fwdStatus !== undefined) parts.push(`fwd-status=${status.fwdStatus}`);
  if (status.stored) parts.push('stored');
  if (status.collapsed) parts.push('collapsed');
  if (status.ttl !== undefined && Number.isFinite(status.ttl)) {
    parts.push(`ttl=${Math.max(0, Math.floor(status.ttl))}`);
  }
  if (status.detail) parts.push(`detail=${status.detail}`);
  return parts.join('; ');
}
