// The cache panel: the Cache-Status of this view's answers, the records regcache holds
// (expiry counting down, purge), the configs kept offline, the worker's statistics,
// and "clear all".
import type { Entry, RegcacheClient, RegcacheStats } from '../../../src/client/index.js';
import type { ConfigStore, StoredConfigs } from '../config-store.js';
import { counted, formatBytes, formatCountdown, h, replaceChildren, shortDigest } from '../dom.js';
import { describeMediaType } from '../media-types.js';
import { cacheBadge } from './badge.js';

export interface ViewAnswer {
  label: string;
  cacheStatus: string | null;
}

// The worker counts from the database's creation on (clear() resets nothing); the panel
// counts from the last "Clear all", whose snapshot it keeps here.
const BASELINE_KEY = 'regcache-inspector-stats-baseline';
// Levels, not counts: shown as they are.
const LEVELS = new Set<keyof RegcacheStats>(['storedBytes', 'lastSweepVisited', 'lastSweepDeleted']);

function readBaseline(): Partial<RegcacheStats> {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(BASELINE_KEY) ?? '{}');
    return typeof parsed === 'object' && parsed !== null ? (parsed as Partial<RegcacheStats>) : {};
  } catch {
    return {};
  }
}

// The counts since the last "Clear all"; a count below its snapshot means the worker's
// database started again, and then the snapshot is dropped.
export function sinceBaseline(stats: RegcacheStats, baseline: Partial<RegcacheStats>): RegcacheStats {
  const keys = Object.keys(stats) as Array<keyof RegcacheStats>;
  if (keys.some((k) => !LEVELS.has(k) && typeof baseline[k] === 'number' && stats[k] < (baseline[k] as number))) return stats;
  const out = { ...stats };
  for (const k of keys) if (!LEVELS.has(k) && typeof baseline[k] === 'number') out[k] -= baseline[k] as number;
  return out;
}

const STATS: Array<[keyof RegcacheStats, string, boolean?]> = [
  ['requests', 'Requests'],
  ['hits', 'Hits'],
  ['misses', 'Misses'],
  ['stale', 'Stale answers'],
  ['rechecks', 'Tag re-checks'],
  ['upstreamGets', 'Upstream GETs'],
  ['upstreamHeads', 'Upstream HEADs'],
  ['bytesPulled', 'Bytes pulled', true],
  ['bytesServed', 'Bytes served', true],
  ['storedBytes', 'Bytes stored', true],
  ['expired', 'Expired'],
  ['evicted', 'Evicted'],
  ['verificationFailures', 'Failed verifications'],
];

export class CachePanel {
  private readonly answers = h('ul', { class: 'answers', 'aria-label': 'Cache-Status of this view’s manifest answers' });
  private readonly records = h('div', { class: 'records' });
  private readonly configs = h('p', { class: 'configs' });
  private readonly stats = h('dl', { class: 'stats pairs' });
  private readonly status = h('p', { class: 'muted', role: 'status' });
  private readonly confirm = h('div', { class: 'confirm', 'data-confirm': 'clear-all', hidden: true });
  private readonly clearButton: HTMLButtonElement;
  // What the last refresh found, for the question "Clear all" asks.
  private counts = { records: 0, configs: 0 };

  constructor(
    readonly element: HTMLElement,
    private readonly client: RegcacheClient | null,
    private readonly store: ConfigStore,
    // Called after a purge or clear: the view's badges now describe an older state.
    private readonly onChange: () => void,
    unavailable?: string,
    // A link to a record's view, or null when it names nothing to open.
    private readonly linkFor: (entry: Entry, label: Node) => HTMLAnchorElement | null = () => null,
  ) {
    const clearAll = h(
      'button',
      { type: 'button', class: 'danger', 'data-action': 'clear-all', 'aria-expanded': 'false', onclick: () => this.askClearAll() },
      'Clear all',
    );
    this.clearButton = clearAll;
    replaceChildren(
      element,
      h('h2', { id: 'cache-title' }, 'Cache'),
      unavailable ? h('p', { class: 'problem', role: 'alert' }, unavailable) : null,
      h('section', {}, h('h3', {}, 'This view'), this.answers),
      h('section', {}, h('h3', {}, 'Stored records'), this.records),
      h('section', {}, h('h3', {}, 'Configs kept offline'), this.configs),
      h('section', {}, h('h3', {}, 'Statistics'), this.stats),
      h('div', { class: 'actions' }, clearAll, this.confirm, this.status),
    );
    // The panel lives as long as the page.
    setInterval(() => this.tick(), 1000);
  }

  showAnswers(answers: ViewAnswer[]): void {
    replaceChildren(
      this.answers,
      ...(answers.length
        ? answers.map((a) =>
            h(
              'li',
              {},
              h('span', { class: 'answer-label' }, a.label),
              ' ',
              cacheBadge(a.cacheStatus),
              a.cacheStatus ? h('code', { class: 'cache-status' }, a.cacheStatus) : null,
            ),
          )
        : [h('li', { class: 'muted' }, 'Nothing fetched yet.')]),
    );
  }

  async refresh(): Promise<void> {
    const [entries, stats, configs] = await Promise.all([
      this.client ? this.client.entries().catch((e: Error) => e) : null,
      this.client ? this.client.stats().catch((e: Error) => e) : null,
      this.store.summary().catch((): StoredConfigs => ({ count: 0, bytes: 0 })),
    ]);
    this.renderRecords(entries);
    this.renderStats(stats);
    this.counts = { records: Array.isArray(entries) ? entries.length : 0, configs: configs.count };
    this.configs.textContent = configs.count
      ? `${counted(configs.count, 'config')} (${formatBytes(configs.bytes)}), kept until “Clear all”.`
      : 'None yet.';
  }

  private renderRecords(entries: Entry[] | Error | null): void {
    if (entries === null) {
      replaceChildren(this.records, h('p', { class: 'muted' }, 'No cache worker, so nothing is stored.'));
      return;
    }
    if (entries instanceof Error) {
      replaceChildren(this.records, h('p', { class: 'problem' }, `Could not list the records: ${entries.message}`));
      return;
    }
    if (entries.length === 0) {
      replaceChildren(this.records, h('p', { class: 'muted', 'data-records': 0 }, 'The cache is empty.'));
      return;
    }
    const sorted = [...entries].sort(
      (a, b) =>
        a.repository.localeCompare(b.repository) ||
        (a.kind === b.kind ? a.reference.localeCompare(b.reference) : a.kind === 'tag' ? -1 : 1),
    );
    replaceChildren(
      this.records,
      h('p', { class: 'muted', 'data-records': sorted.length }, counted(sorted.length, 'record')),
      h('ul', { class: 'record-list' }, ...sorted.map((e) => this.record(e))),
    );
  }

  private record(e: Entry): HTMLElement {
    const reference = e.kind === 'tag' ? `:${e.reference}` : `@${shortDigest(e.reference)}`;
    const expires = h(
      'span',
      { class: 'countdown', 'data-expires-at': e.expiresAt ?? '' },
      e.expiresAt === null ? 'never expires' : formatCountdown(e.expiresAt - Date.now()),
    );
    const purge = h(
      'button',
      {
        type: 'button',
        class: 'purge',
        'data-action': 'purge',
        'aria-label': `Purge ${e.kind} ${e.repository}${e.kind === 'tag' ? `:${e.reference}` : `@${e.reference}`}`,
        onclick: () => void this.purge(e),
      },
      'Purge',
    );
    return h(
      'li',
      { class: `record record-${e.kind}`, 'data-kind': e.kind, 'data-repository': e.repository, 'data-reference': e.reference },
      h(
        'span',
        { class: 'record-name' },
        h('span', { class: 'record-kind' }, e.kind),
        ' ',
        // The short digest stays on one line with its “…”.
        this.nameOf(e, reference),
      ),
      h(
        'span',
        { class: 'record-meta muted' },
        e.kind === 'manifest'
          ? `${describeMediaType(e.mediaType ?? '')} · ${formatBytes(e.size ?? 0)} · `
          : `→ ${shortDigest(e.digest)} · `,
        new URL(e.upstream).host,
        ' · expires in ',
        expires,
      ),
      purge,
    );
  }

  private nameOf(e: Entry, reference: string): Node {
    const code = h(
      'code',
      { title: `${e.upstream} ${e.repository} ${e.reference}` },
      e.repository,
      h('span', { class: 'record-ref' }, reference),
    );
    return this.linkFor(e, code) ?? code;
  }

  private renderStats(stats: RegcacheStats | Error | null): void {
    if (stats === null) {
      replaceChildren(this.stats);
      return;
    }
    if (stats instanceof Error) {
      replaceChildren(this.stats, h('dt', {}, 'Unavailable'), h('dd', {}, stats.message));
      return;
    }
    const since = sinceBaseline(stats, readBaseline());
    replaceChildren(
      this.stats,
      ...STATS.flatMap(([key, label, bytes]) => [
        h('dt', {}, label),
        h('dd', { 'data-stat': key }, bytes ? formatBytes(since[key]) : String(since[key])),
      ]),
    );
  }

  private tick(): void {
    for (const el of this.records.querySelectorAll<HTMLElement>('[data-expires-at]')) {
      const at = Number(el.dataset.expiresAt);
      if (el.dataset.expiresAt && Number.isFinite(at)) el.textContent = formatCountdown(at - Date.now());
    }
  }

  private async purge(e: Entry): Promise<void> {
    if (!this.client) return;
    try {
      const { deleted } = await this.client.purge({ upstream: e.upstream, repository: e.repository, reference: e.reference });
      this.say(`Purged ${counted(deleted, 'record')} for ${e.repository} ${e.reference}.`);
    } catch (error) {
      this.say(`Purge failed: ${(error as Error).message}`);
    }
    await this.refresh();
    this.onChange();
  }

  // "Clear all" cannot be undone: it asks first, in the panel (no modal dialog).
  private askClearAll(): void {
    const { records, configs } = this.counts;
    const close = () => {
      this.confirm.hidden = true;
      this.clearButton.setAttribute('aria-expanded', 'false');
    };
    const cancel = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: () => {
          close();
          this.clearButton.focus();
        },
      },
      'Cancel',
    );
    replaceChildren(
      this.confirm,
      h(
        'p',
        { id: 'confirm-clear-text' },
        `Delete ${counted(records, 'record')} and ${counted(configs, 'config')} kept offline, and start the statistics again? This cannot be undone.`,
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          onclick: () => {
            close();
            void this.clearAll();
            this.clearButton.focus();
          },
        },
        'Clear everything',
      ),
      ' ',
      cancel,
    );
    this.confirm.setAttribute('role', 'group');
    this.confirm.setAttribute('aria-labelledby', 'confirm-clear-text');
    this.confirm.hidden = false;
    this.clearButton.setAttribute('aria-expanded', 'true');
    cancel.focus();
  }

  private async clearAll(): Promise<void> {
    try {
      const [{ deleted }, configs] = await Promise.all([this.client ? this.client.clear() : { deleted: 0 }, this.store.clear()]);
      if (this.client) localStorage.setItem(BASELINE_KEY, JSON.stringify(await this.client.stats()));
      this.say(`Cleared ${counted(deleted, 'record')} and ${counted(configs, 'config')}.`);
    } catch (error) {
      this.say(`Clearing failed: ${(error as Error).message}`);
    }
    await this.refresh();
    this.onChange();
  }

  private say(text: string): void {
    this.status.textContent = text;
  }
}
