// Pretty-printed JSON with a copy button on every line that holds a digest.
import { DIGEST_ALGORITHMS } from '../../../src/core/oci/digest.js';
import { copyButton, h } from '../dom.js';

const DIGEST_IN_LINE = new RegExp(`"((?:${DIGEST_ALGORITHMS.join('|')}):[a-f0-9]+)"`);

export function rawJson(title: string, bytes: Uint8Array, json: unknown): HTMLElement {
  const pre = h('pre', { class: 'raw', tabindex: 0 });
  for (const line of JSON.stringify(json, null, 2).split('\n')) {
    const digest = DIGEST_IN_LINE.exec(line)?.[1];
    const row = h('span', { class: 'raw-line' }, line);
    if (digest) row.append(' ', copyButton(digest, 'digest'));
    pre.append(row, '\n');
  }
  return h('details', { class: 'raw-json' }, h('summary', {}, `${title} (${bytes.byteLength} bytes as served; shown re-indented)`), pre);
}
