// The image config: what the image runs, how it was built, and its history lined up with
// the manifest's layers (each history step that is not an empty layer made the next layer).
import type { Descriptor, HistoryEntry, ImageConfig } from '../../../src/core/oci/types.js';
import { digestWithCopy, formatBytes, formatDate, h, replaceChildren, shortDigest, stackTable } from '../dom.js';
import type { ConfigSource } from '../image-config.js';
import { platformLabel } from './index-view.js';
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

const command = (value: string[] | null | undefined) => (value?.length ? JSON.stringify(value) : '—');

function pairs(items: Array<[string, Node | string]>): HTMLElement {
  return h('dl', { class: 'pairs' }, ...items.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export function renderConfig(
  slot: HTMLElement,
  config: Partial<ImageConfig>,
  bytes: Uint8Array,
  descriptor: Descriptor,
  layers: Descriptor[],
  source: ConfigSource,
): void {
  const c = config.config ?? {};
  const { rows, mismatch } = lineUpHistory(config.history ?? [], layers);
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
            os: config.os ?? '?',
            architecture: config.architecture ?? '?',
            ...(config.variant ? { variant: config.variant } : {}),
          }),
        ),
      ],
      ['Created', h('span', { 'data-field': 'created' }, formatDate(config.created))],
      ...(config.author ? [['Author', config.author] as [string, string]] : []),
      ['Entrypoint', h('code', { 'data-field': 'entrypoint' }, command(c.Entrypoint))],
      ['Cmd', h('code', { 'data-field': 'cmd' }, command(c.Cmd))],
      ...(c.WorkingDir ? [['Working dir', h('code', {}, c.WorkingDir)] as [string, Node]] : []),
      ...(c.User ? [['User', h('code', {}, c.User)] as [string, Node]] : []),
      ...(c.ExposedPorts ? [['Exposed ports', Object.keys(c.ExposedPorts).join(', ')] as [string, string]] : []),
    ]),
    h('h4', {}, 'Environment'),
    c.Env?.length
      ? h('ul', { class: 'env' }, ...c.Env.map((e) => h('li', {}, h('code', {}, e))))
      : h('p', { class: 'muted' }, 'No environment variables.'),
    h('h4', {}, 'Labels'),
    c.Labels && Object.keys(c.Labels).length
      ? h('dl', { class: 'pairs labels' }, ...Object.entries(c.Labels).flatMap(([k, v]) => [h('dt', {}, h('code', {}, k)), h('dd', {}, v)]))
      : h('p', { class: 'muted' }, 'No labels.'),
    h('h4', {}, 'History'),
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
    rawJson('Raw config JSON', bytes, config),
  );
}

export function renderConfigProblem(slot: HTMLElement, message: string): void {
  slot.removeAttribute('aria-busy');
  replaceChildren(slot, h('h3', {}, 'Image config'), h('p', { class: 'problem', role: 'alert' }, message));
}
