// An OCI index or Docker manifest list: its platforms, each a link to its manifest.
import type { Descriptor } from '../../../src/core/oci/types.js';
import { counted, digestWithCopy, formatBytes, formatDate, h, stackTable } from '../dom.js';
import type { PlatformSummary } from '../image-summary.js';
import { describeMediaType } from '../media-types.js';
import { familiarString, type ImageReference, withDigest } from '../reference.js';
import type { ManifestAnswer } from '../registry-client.js';
import { firstItems, isRecord, list, num, record, str, text } from '../untrusted.js';
import { cacheBadge } from './badge.js';
import { isAttestation, platformLabel } from './platform.js';
import { rawJson } from './raw-json.js';

// An index's entries as received: any field may be missing.
type ChildDescriptor = Partial<Descriptor>;

/** Platforms of an index whose size and date are loaded (each is a manifest and a config). */
export const DETAILED_PLATFORMS = 16;

export function indexView(
  ref: ImageReference,
  answer: ManifestAnswer,
  linkTo: (ref: ImageReference, platform: string) => HTMLAnchorElement,
  // A platform's total size and created date, loaded after the view is shown.
  details?: (digest: string, platform: string) => Promise<PlatformSummary>,
): HTMLElement {
  const json = record(answer.json);
  const manifests = list(json.manifests).filter(
    (d): d is ChildDescriptor & { digest: string } => isRecord(d) && typeof d.digest === 'string',
  );
  const { shown, hidden } = firstItems(manifests);
  const rows = shown.map((d, i) => {
    const label = isAttestation(d)
      ? `attestation for ${str(record(d.annotations)['vnd.docker.reference.digest'])?.slice(0, 19) ?? '?'}…`
      : platformLabel(d.platform);
    let child: ImageReference | null = null;
    try {
      child = withDigest(ref, d.digest);
    } catch {
      // Not a digest: listed, but there is nothing to open.
    }
    const size = h('td', { class: 'num', 'data-label': 'Image size', 'data-cell': 'size' });
    const created = h('td', { 'data-label': 'Created', 'data-cell': 'created' });
    if (child && details && i < DETAILED_PLATFORMS && !isAttestation(d)) {
      details(d.digest, label).then(
        (summary) => {
          size.textContent = summary.size === null ? '—' : formatBytes(summary.size);
          created.textContent = summary.created === null ? '—' : formatDate(summary.created);
        },
        () => {
          size.textContent = '—';
        },
      );
    }
    return h(
      'tr',
      { 'data-platform': label, 'data-digest': d.digest },
      h('th', { scope: 'row' }, child ? linkTo(child, label) : h('span', { title: 'This entry’s digest is not a digest.' }, label)),
      size,
      created,
      h('td', { class: 'num', 'data-label': 'Manifest size' }, formatBytes(num(d.size) ?? NaN)),
      h('td', { 'data-label': 'Digest' }, digestWithCopy(d.digest, `${label} digest`)),
      h('td', { class: 'media-type', 'data-label': 'Media type' }, describeMediaType(str(d.mediaType) ?? '')),
    );
  });
  const annotations = json.annotations;
  return h(
    'article',
    { class: 'view index-view', 'data-view': 'index' },
    h(
      'header',
      { class: 'view-header' },
      h('h2', { tabindex: -1 }, familiarString(ref)),
      h(
        'p',
        { class: 'facts' },
        h('span', {}, describeMediaType(answer.mediaType)),
        ' · ',
        h('span', {}, counted(manifests.length, 'manifest')),
        ' · ',
        digestWithCopy(answer.digest, 'index digest'),
        ' ',
        cacheBadge(answer.cacheStatus),
      ),
    ),
    stackTable(
      'platforms',
      [
        { label: 'Platform' },
        { label: 'Image size', num: true },
        { label: 'Created' },
        { label: 'Manifest size', num: true },
        { label: 'Digest' },
        { label: 'Media type' },
      ],
      rows,
      'Platforms: open one to see its layers and config. Image size is config plus layers, compressed.',
    ),
    hidden ? h('p', { class: 'muted' }, `${counted(hidden, 'more manifest')} not listed.`) : null,
    annotations === undefined ? null : annotationList(annotations),
    rawJson('Raw index JSON', answer.bytes, answer.json),
  );
}

export function annotationList(annotations: unknown): HTMLElement {
  const heading = h('h3', {}, 'Annotations');
  if (!isRecord(annotations)) {
    return h(
      'section',
      { class: 'annotations' },
      heading,
      h('p', { class: 'warning' }, `Not a map of annotations: ${text(annotations, 200)}`),
    );
  }
  const { shown, hidden } = firstItems(Object.entries(annotations));
  return h(
    'section',
    { class: 'annotations' },
    heading,
    h('dl', { class: 'pairs' }, ...shown.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, text(v))])),
    hidden ? h('p', { class: 'muted' }, `${counted(hidden, 'more annotation')} not listed.`) : null,
  );
}
