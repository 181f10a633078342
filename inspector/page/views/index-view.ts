// An OCI index or Docker manifest list: its platforms, each a link to its manifest.
import type { Descriptor, ImageIndex, Platform } from '../../../src/core/oci/types.js';
import { counted, digestWithCopy, formatBytes, h, stackTable } from '../dom.js';
import { describeMediaType } from '../media-types.js';
import { familiarString, type ImageReference, withDigest } from '../reference.js';
import type { ManifestAnswer } from '../registry-client.js';
import { cacheBadge } from './badge.js';
import { rawJson } from './raw-json.js';

// An index's entries as received: any field may be missing.
type ChildDescriptor = Partial<Descriptor>;

export function platformLabel(p: Partial<Platform> | undefined): string {
  if (!p) return 'unknown platform';
  const parts = [p.os ?? '?', p.architecture ?? '?', p.variant].filter(Boolean);
  return parts.join('/') + (p['os.version'] ? ` (${p['os.version']})` : '');
}

// Attestation manifests (BuildKit's provenance) are listed with platform unknown/unknown.
function isAttestation(d: ChildDescriptor): boolean {
  return d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest';
}

export function indexView(
  ref: ImageReference,
  answer: ManifestAnswer,
  linkTo: (ref: ImageReference, platform: string) => HTMLAnchorElement,
): HTMLElement {
  const index = answer.json as Partial<Omit<ImageIndex, 'manifests'>> & { manifests?: ChildDescriptor[] };
  const manifests = (index.manifests ?? []).filter((d): d is ChildDescriptor & { digest: string } => typeof d.digest === 'string');
  const rows = manifests.map((d) => {
    const label = isAttestation(d)
      ? `attestation for ${d.annotations?.['vnd.docker.reference.digest']?.slice(0, 19) ?? '?'}…`
      : platformLabel(d.platform);
    const link = linkTo(withDigest(ref, d.digest), label);
    return h(
      'tr',
      { 'data-platform': label },
      h('th', { scope: 'row' }, link),
      h('td', { class: 'num', 'data-label': 'Manifest size' }, formatBytes(d.size ?? NaN)),
      h('td', { 'data-label': 'Digest' }, digestWithCopy(d.digest, `${label} digest`)),
      h('td', { class: 'media-type', 'data-label': 'Media type' }, describeMediaType(d.mediaType ?? '')),
    );
  });
  const { annotations } = index;
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
      [{ label: 'Platform' }, { label: 'Manifest size', num: true }, { label: 'Digest' }, { label: 'Media type' }],
      rows,
      'Platforms: open one to see its layers and config',
    ),
    annotations ? annotationList(annotations) : null,
    rawJson('Raw index JSON', answer.bytes, answer.json),
  );
}

export function annotationList(annotations: Record<string, string>): HTMLElement {
  return h(
    'section',
    { class: 'annotations' },
    h('h3', {}, 'Annotations'),
    h('dl', { class: 'pairs' }, ...Object.entries(annotations).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
  );
}
