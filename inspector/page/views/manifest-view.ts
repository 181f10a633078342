// One image manifest: summary, layers with a bar chart, and (filled in once fetched)
// the image config with its history lined up against the layers.
import type { Descriptor, ImageManifest } from '../../../src/core/oci/types.js';
import { counted, digestWithCopy, formatBytes, h, stackTable } from '../dom.js';
import { describeMediaType } from '../media-types.js';
import { familiarString, type ImageReference } from '../reference.js';
import type { ManifestAnswer } from '../registry-client.js';
import { firstItems, isRecord, list, num, record, str } from '../untrusted.js';
import { cacheBadge } from './badge.js';
import { annotationList } from './index-view.js';
import { rawJson } from './raw-json.js';

export interface Origin {
  // Shown above the title when the manifest was opened from an index.
  parent?: { label: string; link: HTMLAnchorElement };
}

// A descriptor as the views use it, from whatever the registry sent: null without a
// string digest, a size of NaN (shown as —) when it is not a number.
export function descriptorOf(value: unknown): Descriptor | null {
  if (!isRecord(value) || typeof value.digest !== 'string') return null;
  return { mediaType: str(value.mediaType) ?? '', digest: value.digest, size: num(value.size) ?? Number.NaN };
}

export function layersOf(manifest: Partial<ImageManifest>): Descriptor[] {
  return list(record(manifest).layers)
    .map(descriptorOf)
    .filter((l): l is Descriptor => l !== null);
}

function layerBars(layers: Descriptor[]): HTMLElement {
  const largest = Math.max(1, ...layers.map((l) => l.size || 0));
  return h(
    'figure',
    { class: 'bars' },
    h('figcaption', {}, 'Layer sizes (compressed)'),
    h(
      'ol',
      {},
      ...layers.map((layer, i) => {
        const bar = h('span', { class: 'bar', 'aria-hidden': 'true' });
        bar.style.setProperty('--share', `${Math.max(0.5, ((layer.size || 0) / largest) * 100)}%`);
        return h(
          'li',
          {},
          h('span', { class: 'bar-label' }, `#${i + 1}`),
          h('span', { class: 'bar-track' }, bar),
          h('span', { class: 'bar-value' }, formatBytes(layer.size)),
        );
      }),
    ),
  );
}

export function manifestView(
  ref: ImageReference,
  answer: ManifestAnswer,
  origin: Origin,
): { element: HTMLElement; configSlot: HTMLElement } {
  const manifest = record(answer.json) as Partial<ImageManifest>;
  const layers = layersOf(manifest);
  const total = layers.reduce((sum, l) => sum + (l.size || 0), 0);
  const { shown, hidden } = firstItems(layers);
  const configSlot = h(
    'section',
    { class: 'config', 'aria-busy': 'true' },
    h('h3', {}, 'Image config'),
    h('p', { class: 'muted' }, 'Loading the config…'),
  );
  const element = h(
    'article',
    { class: 'view manifest-view', 'data-view': 'manifest' },
    h(
      'header',
      { class: 'view-header' },
      origin.parent ? h('p', { class: 'breadcrumb' }, origin.parent.label, ' of ', origin.parent.link) : null,
      h('h2', { tabindex: -1 }, familiarString(ref)),
      h(
        'dl',
        { class: 'summary pairs' },
        h('dt', {}, 'Media type'),
        h('dd', { 'data-field': 'media-type' }, h('code', {}, answer.mediaType), ` (${describeMediaType(answer.mediaType)})`),
        h('dt', {}, 'Digest'),
        h('dd', { 'data-field': 'digest' }, digestWithCopy(answer.digest, 'manifest digest')),
        h('dt', {}, 'Compressed size'),
        h('dd', { 'data-field': 'total-size' }, `${formatBytes(total)} in ${counted(layers.length, 'layer')}`),
        h('dt', {}, 'Cache'),
        h('dd', {}, cacheBadge(answer.cacheStatus)),
      ),
    ),
    h(
      'section',
      { class: 'layers' },
      h('h3', {}, 'Layers'),
      stackTable(
        'layer-table',
        [{ label: '#', num: true }, { label: 'Digest' }, { label: 'Media type' }, { label: 'Size', num: true }],
        shown.map((layer, i) =>
          h(
            'tr',
            { 'data-layer': i + 1 },
            h('td', { class: 'num', 'data-label': 'Layer' }, i + 1),
            h('td', { 'data-label': 'Digest' }, digestWithCopy(layer.digest, `layer ${i + 1} digest`)),
            h('td', { class: 'media-type', 'data-label': 'Media type', title: layer.mediaType }, describeMediaType(layer.mediaType)),
            h('td', { class: 'num', 'data-label': 'Size' }, formatBytes(layer.size)),
          ),
        ),
      ),
      hidden ? h('p', { class: 'muted' }, `${counted(hidden, 'more layer')} not listed.`) : null,
      layers.length ? layerBars(shown) : h('p', { class: 'muted' }, 'This manifest has no layers.'),
    ),
    configSlot,
    manifest.annotations === undefined ? null : annotationList(manifest.annotations),
    rawJson('Raw manifest JSON', answer.bytes, answer.json),
  );
  return { element, configSlot };
}
