// Marks on what regcache holds, so that a person sees what opens offline: tags in the tag
// list, platforms in an index.
import type { Entry } from '../../../src/client/index.js';
import { formatCountdown, h } from '../dom.js';

export function offlineMark(expiresAt: number | null): HTMLElement {
  const until = expiresAt === null ? 'kept' : `for ${formatCountdown(expiresAt - Date.now())}`;
  return h(
    'span',
    { class: 'offline-mark', 'data-offline': 'true', title: `Stored by regcache: opens offline ${until}` },
    'offline',
    h('span', { class: 'visually-hidden' }, `: stored, opens offline ${until}`),
  );
}

/** The stored records of one repository on one registry: tags and manifest digests, with their expiry. */
export function storedOf(entries: readonly Entry[], upstream: string, repository: string | null) {
  const tags = new Map<string, number | null>();
  const digests = new Map<string, number | null>();
  const repositories = new Set<string>();
  for (const e of entries) {
    if (e.upstream !== upstream) continue;
    repositories.add(e.repository);
    if (repository !== null && e.repository !== repository) continue;
    (e.kind === 'tag' ? tags : digests).set(e.reference, e.expiresAt);
  }
  return { tags, digests, repositories: [...repositories].sort() };
}
