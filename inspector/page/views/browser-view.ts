// The registry browser: the repositories a registry lists (`/v2/_catalog`) and the tags of
// one repository (`tags/list`), with a filter box and sorting by name. Each tag's platforms,
// size and created date are loaded when its row comes into view.
import { counted, formatBytes, formatDate, h, replaceChildren, stackTable } from '../dom.js';
import type { ImageSummary } from '../image-summary.js';
import type { Listing } from '../listing.js';
import { RegistryProblem } from '../problems.js';

/** Rows shown at most after filtering: the filter narrows the rest. */
export const SHOWN_ROWS = 500;

export interface BrowserLinks {
  /** A link to a repository's tags. */
  repository(path: string): HTMLAnchorElement;
  /** A link to one tag of the repository shown. */
  tag(tag: string): HTMLAnchorElement;
}

type Order = 'asc' | 'desc';

function listingNotes(listing: Listing, what: string): HTMLElement[] {
  const notes: HTMLElement[] = [];
  if (listing.offline) {
    notes.push(
      h(
        'p',
        { class: 'offline-note', 'data-offline-listing': '' },
        `Offline: these are the ${what} regcache holds, not the registry’s whole list.`,
      ),
    );
  }
  if (listing.rejected) {
    notes.push(
      h(
        'p',
        { class: 'warning', 'data-rejected': listing.rejected },
        `${counted(listing.rejected, 'entry', 'entries')} of the list ${listing.rejected === 1 ? 'was' : 'were'} not ${what} (or repeated), and left out.`,
      ),
    );
  }
  if (listing.stopped)
    notes.push(h('p', { class: 'warning', 'data-stopped': '' }, `The list was not read to its end: ${listing.stopped}.`));
  return notes;
}

// A filter box and a sort order over `names`, calling `render` with what to show.
function filtered(label: string, names: readonly string[], render: (shown: string[], total: number) => HTMLElement): HTMLElement {
  const id = `filter-${label.replace(/\W+/g, '-')}`;
  const many = label === 'repository' ? 'repositories' : `${label}s`;
  const input = h('input', { id, type: 'search', class: 'filter', autocomplete: 'off', spellcheck: 'false' });
  const order = h(
    'select',
    { id: `${id}-order`, 'aria-label': 'Sort' },
    h('option', { value: 'asc' }, 'Name, A to Z'),
    h('option', { value: 'desc' }, 'Name, Z to A'),
  );
  const count = h('p', { class: 'muted filter-count', role: 'status' });
  const slot = h('div', {});
  const update = () => {
    const needle = input.value.trim().toLowerCase();
    const matching = names.filter((n) => n.toLowerCase().includes(needle));
    const direction: Order = order.value === 'desc' ? 'desc' : 'asc';
    matching.sort((a, b) => (direction === 'asc' ? 1 : -1) * a.localeCompare(b, 'en', { numeric: true }));
    const shown = matching.slice(0, SHOWN_ROWS);
    count.textContent =
      matching.length === names.length ? counted(names.length, label, many) : `${matching.length} of ${counted(names.length, label, many)}`;
    if (matching.length > shown.length) count.textContent += ` (the first ${SHOWN_ROWS} shown: filter to narrow)`;
    replaceChildren(slot, render(shown, matching.length));
  };
  input.addEventListener('input', update);
  order.addEventListener('change', update);
  update();
  return h(
    'div',
    { class: 'browser-list' },
    h(
      'div',
      { class: 'filter-row' },
      h('label', { for: id }, `Filter ${many}`),
      input,
      h('label', { for: `${id}-order`, class: 'visually-hidden' }, 'Sort'),
      order,
    ),
    count,
    slot,
  );
}

/** The repositories a registry lists. */
export function catalogView(host: string, listing: Listing, links: BrowserLinks): HTMLElement {
  return h(
    'article',
    { class: 'view browser-view', 'data-view': 'catalog' },
    h('header', { class: 'view-header' }, h('h2', { tabindex: -1 }, `Repositories on ${host}`)),
    ...listingNotes(listing, 'repository names'),
    listing.names.length === 0
      ? h('p', { class: 'muted' }, `${host} lists no repositories.`)
      : filtered('repository', listing.names, (shown) =>
          h('ul', { class: 'repositories' }, ...shown.map((name) => h('li', { 'data-repository': name }, links.repository(name)))),
        ),
  );
}

/** Why a registry's repositories cannot be listed, said as a sentence; typing still works. */
export function noCatalogView(host: string, error: unknown): HTMLElement {
  const problem = error instanceof RegistryProblem ? error : null;
  const why =
    problem?.kind === 'unauthorized' || problem?.kind === 'denied'
      ? 'it does not let anonymous visitors list them (Docker Hub, GitHub and most public registries refuse)'
      : problem?.kind === 'not-found'
        ? 'it has no catalog'
        : problem?.kind === 'offline'
          ? 'you are offline and its list is not stored'
          : `it could not be asked (${problem ? problem.message : String(error)})`;
  return h(
    'article',
    { class: 'view browser-view', 'data-view': 'catalog', 'data-no-catalog': problem?.kind ?? 'unexpected' },
    h('header', { class: 'view-header' }, h('h2', { tabindex: -1 }, `Repositories on ${host}`)),
    h(
      'p',
      { class: 'no-catalog' },
      `${host} does not list its repositories here: ${why}. Type a reference above, such as `,
      h('code', {}, 'alpine:3.20'),
      ': that works without the list.',
    ),
  );
}

function summaryCells(row: HTMLElement, summary: ImageSummary): void {
  const sizes = summary.platforms.map((p) => p.size).filter((s): s is number => s !== null);
  const created = summary.platforms.map((p) => p.created).filter((c): c is string => c !== null);
  const platforms = [...summary.platforms.map((p) => p.platform), ...summary.more];
  const [least, most] = [formatBytes(Math.min(...sizes)), formatBytes(Math.max(...sizes))];
  const size = sizes.length === 0 ? '—' : least === most ? least : `${least} – ${most}`;
  row.querySelector('[data-cell="platforms"]')?.replaceChildren(platforms.length ? platforms.join(', ') : '—');
  row.querySelector('[data-cell="size"]')?.replaceChildren(size);
  row.querySelector('[data-cell="created"]')?.replaceChildren(created.length ? formatDate([...created].sort().at(-1)) : '—');
  row.dataset.loaded = 'true';
}

/** The tags of one repository; `summary` loads a tag's details when its row is seen. */
export function tagsView(
  repository: string,
  host: string,
  listing: Listing,
  links: BrowserLinks & { catalog: HTMLAnchorElement | null },
  summary: (tag: string) => Promise<ImageSummary>,
  decorate: (tag: string, row: HTMLElement) => void = () => undefined,
): HTMLElement {
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      const row = entry.target as HTMLElement;
      observer.unobserve(row);
      const tag = row.dataset.tag ?? '';
      summary(tag).then(
        (s) => summaryCells(row, s),
        (error: unknown) => {
          row
            .querySelector('[data-cell="platforms"]')
            ?.replaceChildren(h('span', { class: 'problem' }, error instanceof RegistryProblem ? error.message : 'could not be read'));
          row.dataset.loaded = 'error';
        },
      );
    }
  });
  const rows = (shown: string[]) =>
    stackTable(
      'tags',
      [{ label: 'Tag' }, { label: 'Platforms' }, { label: 'Size', num: true }, { label: 'Created' }],
      shown.map((tag) => {
        const row = h(
          'tr',
          { 'data-tag': tag },
          h('th', { scope: 'row' }, links.tag(tag)),
          h('td', { 'data-label': 'Platforms', 'data-cell': 'platforms' }, h('span', { class: 'muted' }, '…')),
          h('td', { class: 'num', 'data-label': 'Size', 'data-cell': 'size' }),
          h('td', { 'data-label': 'Created', 'data-cell': 'created' }),
        );
        decorate(tag, row);
        observer.observe(row);
        return row;
      }),
      `Tags of ${repository}: size is config plus layers, compressed; for an index, its platforms’ range`,
    );
  return h(
    'article',
    { class: 'view browser-view', 'data-view': 'tags', 'data-repository': repository },
    h(
      'header',
      { class: 'view-header' },
      links.catalog ? h('p', { class: 'breadcrumb' }, links.catalog) : null,
      h('h2', { tabindex: -1 }, `Tags of ${repository}`),
      h('p', { class: 'facts' }, `on ${host}`),
    ),
    ...listingNotes(listing, 'tags'),
    listing.names.length === 0 ? h('p', { class: 'muted' }, `${repository} has no tags.`) : filtered('tag', listing.names, rows),
  );
}

/** "Did you mean …?" under a problem, each suggestion a link. */
export function didYouMean(suggestions: HTMLAnchorElement[]): HTMLElement | null {
  if (suggestions.length === 0) return null;
  const parts: Array<Node | string> = ['Did you mean '];
  suggestions.forEach((link, i) => {
    if (i > 0) parts.push(i === suggestions.length - 1 ? ' or ' : ', ');
    parts.push(link);
  });
  parts.push('?');
  return h('p', { class: 'did-you-mean', 'data-suggestions': suggestions.length }, ...parts);
}
