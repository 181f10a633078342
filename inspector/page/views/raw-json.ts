// Pretty-printed JSON with a copy button on every line that holds a digest.
import { DIGEST_ALGORITHMS } from '../../../src/core/oci/digest.js';
import { copyButton, h } from '../dom.js';

const DIGEST_IN_LINE = new RegExp(`"((?:${DIGEST_ALGORITHMS.join('|')}):[a-f0-9]+)"`);
// Lines shown; a registry can send megabytes of JSON.
const SHOWN_LINES = 5000;
// Characters of the bytes as served, when they cannot be re-indented.
const SHOWN_CHARACTERS = 200_000;

function indented(json: unknown): string | null {
  try {
    return JSON.stringify(json, null, 2) ?? null;
  } catch {
    // Nested deeper than JSON.stringify's stack.
    return null;
  }
}

export function rawJson(title: string, bytes: Uint8Array, json: unknown): HTMLElement {
  const pre = h('pre', { class: 'raw', tabindex: 0 });
  const pretty = indented(json);
  let note: string;
  if (pretty === null) {
    const served = new TextDecoder().decode(bytes.subarray(0, SHOWN_CHARACTERS));
    pre.append(served);
    note = `${bytes.byteLength} bytes as served; nested too deeply to re-indent${bytes.byteLength > SHOWN_CHARACTERS ? ', the start shown' : ''}`;
  } else {
    const lines = pretty.split('\n');
    for (const line of lines.slice(0, SHOWN_LINES)) {
      const digest = DIGEST_IN_LINE.exec(line)?.[1];
      const row = h('span', { class: 'raw-line' }, line);
      if (digest) row.append(' ', copyButton(digest, 'digest'));
      pre.append(row, '\n');
    }
    if (lines.length > SHOWN_LINES)
      pre.append(h('span', { class: 'raw-line muted' }, `… ${lines.length - SHOWN_LINES} more lines not shown`));
    note = `${bytes.byteLength} bytes as served; shown re-indented`;
  }
  return h('details', { class: 'raw-json' }, h('summary', {}, `${title} (${note})`), pre);
}
