// The image config: what the image runs, how it was built, and its history lined up with
// the manifest's layers (each history step that is not an empty layer made the next layer).
import type { Descriptor, HistoryEntry, ImageConfig } from '../../../src/core/oci/types.js';
import { digestWithCopy, formatBytes, formatDate, h, replaceChildren, shortDigest, stackTable } from '../dom.js';
import type { ConfigSource } from '../image-config.js';
import { firstItems, isRecord, list, record, text } from '../untrusted.js';
import { platformLabel } from './platform.js';
import { rawJson } from './raw-json.js';

export interface HistoryRow {
  step: number;
  entry: HistoryEntry;
  layer?: { index: number; descriptor: Descriptor };
}

// Pairs history steps with layers in order; empty-layer steps get none.
export function lineUpHistory(history: HistoryEntry[], layers: Descriptor[]): { rows: HistoryRow[]; mismatch: string | null } {
  let next = 0;
  const rows = history.map((entry, i): HistoryRow => {
    if (entry.empty_layer) return { step: i + 1, entry };
    const descriptor = layers[next];
    const row: HistoryRow = { step: i + 1, entry };
    if (descriptor) row.layer = { index: next, descriptor };
    next++;
    return row;
  });
  const mismatch =
    next === layers.length
      ? null
      : `The history has ${next} steps that made layers, but the manifest has ${layers.length} layers, so the pairing below may be off.`;
  return { rows, mismatch };
}

// Entrypoint and Cmd: arrays shown as JSON (so that the word boundaries show), anything else
// a registry put there as its text.
const command = (value: unknown) => (value === undefined || value === null || (Array.isArray(value) && !value.length) ? '—' : text(value));

function pairs(items: Array<[string, Node | string]>): HTMLElement {
  return h('dl', { class: 'pairs' }, ...items.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

// A field that is usually a string, shown when present.
const present = (value: unknown) => value !== undefined && value !== null && value !== '';

function moreNote(hidden: number, what: string): HTMLElement | null {
  return hidden ? h('p', { class: 'muted' }, `${hidden} more ${what} not listed.`) : null;
}

function environment(env: unknown): Array<HTMLElement | null> {
  if (!Array.isArray(env)) {
    return [
      present(env)
        ? h('p', { class: 'warning' }, `Not a list of variables: ${text(env, 200)}`)
        : h('p', { class: 'muted' }, 'No environment variables.'),
    ];
  }
  if (!env.length) return [h('p', { class: 'muted' }, 'No environment variables.')];
  const { shown, hidden } = firstItems(env);
  return [h('ul', { class: 'env' }, ...shown.map((e) => h('li', {}, h('code', {}, text(e))))), moreNote(hidden, 'variables')];
}

function labels(value: unknown): Array<HTMLElement | null> {
  if (!isRecord(value)) {
    return [
      present(value) ? h('p', { class: 'warning' }, `Not a map of labels: ${text(value, 200)}`) : h('p', { class: 'muted' }, 'No labels.'),
    ];
  }
  const entries = Object.entries(value);
  if (!entries.length) return [h('p', { class: 'muted' }, 'No labels.')];
  const { shown, hidden } = firstItems(entries);
  return [
    h('dl', { class: 'pairs labels' }, ...shown.flatMap(([k, v]) => [h('dt', {}, h('code', {}, k)), h('dd', {}, text(v))])),
    moreNote(hidden, 'labels'),
  ];
}

// The history as lineUpHistory reads it: entries that are objects, their fields as text.
function historyOf(value: unknown): HistoryEntry[] {
  return list(value).map((item): HistoryEntry => {
    const e = record(item);
    const entry: HistoryEntry = {};
    if (e.created !== undefined) entry.created = typeof e.created === 'string' ? e.created : text(e.created, 200);
    if (e.created_by !== undefined) entry.created_by = text(e.created_by);
    if (present(e.comment)) entry.comment = text(e.comment);
    if (e.empty_layer === true) entry.empty_layer = true;
    return entry;
  });
}

export function renderConfig(
  slot: HTMLElement,
  config: Partial<ImageConfig>,
  bytes: Uint8Array,
  descriptor: Descriptor,
  layers: Descriptor[],
  source: ConfigSource,
): void {
  const cfg = record(config) as Partial<ImageConfig>;
  const c = record(cfg.config);
  const { rows: allRows, mismatch } = lineUpHistory(historyOf(cfg.history), layers);
  const { shown: rows, hidden: hiddenRows } = firstItems(allRows);
  const historyNote = Array.isArray(cfg.history) || !present(cfg.history) ? null : `The history is not a list: ${text(cfg.history, 200)}`;
  const sourceText =
    source === 'offline-store' ? 'read from this browser’s offline store' : 'fetched from the registry and kept for offline use';
  slot.removeAttribute('aria-busy');
  replaceChildren(
    slot,
    h('h3', {}, 'Image config'),
    h(
      'p',
      { class: 'muted', 'data-config-source': source },
      digestWithCopy(descriptor.digest, 'config digest'),
      ` · ${formatBytes(descriptor.size)} · ${sourceText}`,
    ),
    pairs([
      [
        'Platform',
        h(
          'span',
          { 'data-field': 'platform' },
          platformLabel({
            os: cfg.os ?? '?',
            architecture: cfg.architecture ?? '?',
            ...(present(cfg.variant) ? { variant: cfg.variant as string } : {}),
          }),
        ),
      ],
      ['Created', h('span', { 'data-field': 'created' }, formatDate(cfg.created))],
      ...(present(cfg.author) ? [['Author', text(cfg.author)] as [string, string]] : []),
      ['Entrypoint', h('code', { 'data-field': 'entrypoint' }, command(c.Entrypoint))],
      ['Cmd', h('code', { 'data-field': 'cmd' }, command(c.Cmd))],
      ...(present(c.WorkingDir) ? [['Working dir', h('code', {}, text(c.WorkingDir))] as [string, Node]] : []),
      ...(present(c.User) ? [['User', h('code', {}, text(c.User))] as [string, Node]] : []),
      ...(present(c.ExposedPorts)
        ? [
            ['Exposed ports', isRecord(c.ExposedPorts) ? text(Object.keys(c.ExposedPorts).join(', ')) : text(c.ExposedPorts)] as [
              string,
              string,
            ],
          ]
        : []),
    ]),
    h('h4', {}, 'Environment'),
    ...environment(c.Env),
    h('h4', {}, 'Labels'),
    ...labels(c.Labels),
    h('h4', {}, 'History'),
    historyNote ? h('p', { class: 'warning' }, historyNote) : null,
    mismatch ? h('p', { class: 'warning' }, mismatch) : null,
    rows.length
      ? stackTable(
          'history',
          [{ label: 'Step', num: true }, { label: 'Created' }, { label: 'Created by' }, { label: 'Layer' }],
          rows.map((row) =>
            h(
              'tr',
              { class: row.layer ? 'made-layer' : 'empty-layer', 'data-step': row.step },
              h('td', { class: 'num', 'data-label': 'Step' }, row.step),
              h('td', { class: 'nowrap', 'data-label': 'Created' }, formatDate(row.entry.created)),
              h(
                'td',
                { 'data-label': 'Created by' },
                h('code', { class: 'created-by' }, row.entry.created_by ?? '—'),
                row.entry.comment ? h('span', { class: 'muted' }, ` — ${row.entry.comment}`) : null,
              ),
              h(
                'td',
                { 'data-label': 'Layer', 'data-history-layer': row.layer ? row.layer.index + 1 : '' },
                row.layer
                  ? `#${row.layer.index + 1} · ${formatBytes(row.layer.descriptor.size)} · ${shortDigest(row.layer.descriptor.digest)}`
                  : row.entry.empty_layer
                    ? 'empty layer'
                    : 'no layer left to pair',
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'The config has no history.'),
    moreNote(hiddenRows, 'history steps'),
    rawJson('Raw config JSON', bytes, config),
  );
}

export function renderConfigProblem(slot: HTMLElement, message: string): void {
  slot.removeAttribute('aria-busy');
  replaceChildren(slot, h('h3', {}, 'Image config'), h('p', { class: 'problem', role: 'alert' }, message));
}
