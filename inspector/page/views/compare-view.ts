// Two images side by side (`?ref=…&compare=…`): the layers they share and those only one
// has, with sizes, and their configs field by field (env, labels, cmd, entrypoint, history).
import type { Descriptor } from '../../../src/core/oci/types.js';
import { counted, formatBytes, formatDate, h, shortDigest, stackTable } from '../dom.js';
import { firstItems, list, record, str, text } from '../untrusted.js';

export interface ComparedImage {
  /** The reference as shown, with the platform chosen from an index, if any. */
  title: string;
  platform: string | null;
  digest: string;
  layers: Descriptor[];
  /** The image config as received, or null when it could not be read (and why). */
  config: unknown;
  configProblem: string | null;
}

const sum = (layers: Descriptor[]) => layers.reduce((total, l) => total + (Number.isFinite(l.size) ? l.size : 0), 0);

function layerTable(a: ComparedImage, b: ComparedImage): HTMLElement {
  const inA = new Set(a.layers.map((l) => l.digest));
  const inB = new Set(b.layers.map((l) => l.digest));
  const shared = a.layers.filter((l) => inB.has(l.digest));
  const onlyA = a.layers.filter((l) => !inB.has(l.digest));
  const onlyB = b.layers.filter((l) => !inA.has(l.digest));
  const rows = [
    ...shared.map((l) => ['shared', l] as const),
    ...onlyA.map((l) => ['a', l] as const),
    ...onlyB.map((l) => ['b', l] as const),
  ];
  const { shown, hidden } = firstItems(rows);
  const where = { shared: 'both', a: `only ${a.title}`, b: `only ${b.title}` };
  return h(
    'section',
    { class: 'compare-layers' },
    h('h3', {}, 'Layers'),
    h(
      'p',
      { class: 'facts', 'data-layer-summary': '' },
      `${counted(shared.length, 'layer')} shared (${formatBytes(sum(shared))}), ${onlyA.length} only in ${a.title} (${formatBytes(sum(onlyA))}), ${onlyB.length} only in ${b.title} (${formatBytes(sum(onlyB))}).`,
    ),
    stackTable(
      'compare-layer-table',
      [{ label: 'In' }, { label: 'Digest' }, { label: 'Size', num: true }],
      shown.map(([side, layer]) =>
        h(
          'tr',
          { 'data-side': side },
          h('td', { 'data-label': 'In' }, where[side]),
          h('td', { 'data-label': 'Digest' }, h('code', { title: layer.digest }, shortDigest(layer.digest))),
          h('td', { class: 'num', 'data-label': 'Size' }, formatBytes(layer.size)),
        ),
      ),
      'Layers, shared first',
    ),
    hidden ? h('p', { class: 'muted' }, `${counted(hidden, 'more layer')} not listed.`) : null,
  );
}

// One config field of both images as lines of text, for a side-by-side row.
type Field = (config: Record<string, unknown>) => string[];
const inner = (c: Record<string, unknown>) => record(c.config);
const lines = (value: unknown): string[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value.map((v) => text(v, 500)) : [text(value, 500)];

const FIELDS: Array<[string, Field]> = [
  ['Created', (c) => (c.created === undefined ? [] : [formatDate(c.created)])],
  ['Platform', (c) => [[str(c.os), str(c.architecture), str(c.variant)].filter(Boolean).join('/')].filter(Boolean)],
  ['Entrypoint', (c) => (inner(c).Entrypoint === undefined ? [] : [text(inner(c).Entrypoint, 500)])],
  ['Cmd', (c) => (inner(c).Cmd === undefined ? [] : [text(inner(c).Cmd, 500)])],
  ['Env', (c) => lines(inner(c).Env).slice(0, 200)],
  [
    'Labels',
    (c) =>
      Object.entries(record(inner(c).Labels))
        .slice(0, 200)
        .map(([k, v]) => `${k}=${text(v, 500)}`),
  ],
  [
    'History',
    (c) =>
      list(c.history)
        .slice(0, 200)
        .map((step) => text(record(step).created_by ?? (record(step).empty_layer ? '(empty layer)' : ''), 500)),
  ],
];

function cell(image: ComparedImage, field: Field): { node: HTMLElement; key: string } {
  if (image.config === null) return { node: h('td', { class: 'problem' }, image.configProblem ?? 'No config'), key: '\u0000' };
  const values = field(record(image.config));
  const node = h(
    'td',
    {},
    values.length
      ? h('ul', { class: 'compare-lines' }, ...values.map((v) => h('li', {}, h('code', {}, v))))
      : h('span', { class: 'muted' }, '—'),
  );
  return { node, key: JSON.stringify(values) };
}

function configTable(a: ComparedImage, b: ComparedImage): HTMLElement {
  return h(
    'section',
    { class: 'compare-config' },
    h('h3', {}, 'Config'),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'compare-config-table' },
        h('caption', {}, 'The two configs side by side; rows that differ are marked'),
        h(
          'thead',
          {},
          h('tr', {}, h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, a.title), h('th', { scope: 'col' }, b.title)),
        ),
        h(
          'tbody',
          {},
          ...FIELDS.map(([label, field]) => {
            const [left, right] = [cell(a, field), cell(b, field)];
            const differs = left.key !== right.key;
            return h(
              'tr',
              { 'data-field': label.toLowerCase(), 'data-differs': String(differs), class: differs ? 'differs' : null },
              h('th', { scope: 'row' }, label, differs ? h('span', { class: 'differs-mark' }, ' (differs)') : null),
              left.node,
              right.node,
            );
          }),
        ),
      ),
    ),
  );
}

/** The comparison of two images; `links` are links to each image's own view. */
export function compareView(a: ComparedImage, b: ComparedImage, links: [HTMLAnchorElement, HTMLAnchorElement]): HTMLElement {
  const side = (image: ComparedImage, link: HTMLAnchorElement) =>
    h(
      'li',
      {},
      link,
      image.platform ? ` (${image.platform})` : null,
      ' · ',
      `${formatBytes(sum(image.layers))} in ${counted(image.layers.length, 'layer')}`,
    );
  return h(
    'article',
    { class: 'view compare-view', 'data-view': 'compare' },
    h(
      'header',
      { class: 'view-header' },
      h('h2', { tabindex: -1 }, `${a.title} compared with ${b.title}`),
      h('ul', { class: 'compared' }, side(a, links[0]), side(b, links[1])),
    ),
    layerTable(a, b),
    configTable(a, b),
  );
}

/** A small form under a view: compare what it shows with another reference. */
export function compareForm(onCompare: (text: string) => string | null): HTMLElement {
  const id = `compare-${Math.random().toString(36).slice(2, 8)}`;
  const input = h('input', { id, type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'hello:oci' });
  const error = h('p', { class: 'input-error', role: 'alert', hidden: true });
  const form = h(
    'form',
    { class: 'compare-form', novalidate: true },
    h('label', { for: id }, 'Compare with'),
    h('div', { class: 'lookup-row' }, input, h('button', { type: 'submit' }, 'Compare')),
    error,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const problem = onCompare(input.value);
    error.hidden = problem === null;
    error.textContent = problem ?? '';
  });
  return form;
}
