// The Cache-Status badge of one manifest answer.
import { readCacheStatus } from '../cache-status.js';
import { h } from '../dom.js';

const LABELS = {
  miss: 'miss',
  hit: 'hit',
  revalidated: 'revalidated',
  refreshing: 'may refresh',
  stale: 'stale',
  uncached: 'not cached',
} as const;

export function cacheBadge(cacheStatus: string | null): HTMLElement {
  const verdict = readCacheStatus(cacheStatus);
  return h(
    'span',
    {
      class: `badge badge-${verdict.badge}`,
      'data-badge': verdict.badge,
      'data-cache-status': cacheStatus ?? '',
      title: `${verdict.explanation}${cacheStatus ? ` Cache-Status: ${cacheStatus}` : ''}`,
    },
    LABELS[verdict.badge],
    h('span', { class: 'visually-hidden' }, `: ${verdict.explanation}`),
  );
}
