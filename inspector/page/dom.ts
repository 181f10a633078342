// A small element builder. Everything from a registry is untrusted, so text always goes
// in as text nodes, never as HTML, and a value of a type a view did not expect goes in as
// its JSON text.
import { text } from './untrusted.js';

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, typeof value === 'object' ? text(value) : String(value));
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(typeof child === 'object' ? text(child) : String(child)));
  }
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

export interface Column {
  label: string;
  // Right-aligned, for sizes and counts.
  num?: boolean;
}

// A table in a scrolling wrapper. Its rows stack into labelled cards on narrow screens
// (the `stack` class), so each cell needs a data-label naming its column.
export function stackTable(className: string, columns: Column[], rows: Child[], caption?: string): HTMLElement {
  const head = columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label));
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: `${className} stack` },
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, ...head)),
      h('tbody', {}, ...rows),
    ),
  );
}

// "1 layer", "3 layers".
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatCountdown(ms: number): string {
  if (ms <= 0) return 'expired';
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const hh = Math.floor((s % 86400) / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  const pad = (x: number) => String(x).padStart(2, '0');
  return d > 0 ? `${d}d ${pad(hh)}:${pad(mm)}:${pad(ss)}` : `${pad(hh)}:${pad(mm)}:${pad(ss)}`;
}

export function formatDate(value: unknown): string {
  if (typeof value !== 'string') return '—';
  // RFC 3339 dates are short; a long string is shown as text, not parsed.
  const t = value.length > 64 ? Number.NaN : Date.parse(value);
  return Number.isNaN(t)
    ? text(value, 200)
    : new Date(t)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$|Z$/, ' UTC');
}

export function shortDigest(digest: string): string {
  if (typeof digest !== 'string') return text(digest, 80);
  const colon = digest.indexOf(':');
  return colon === -1 ? digest : `${digest.slice(0, colon + 13)}…`;
}

// A button that copies `value`, with a place beside it to say that it did.
export function copyButton(value: string, label: string): HTMLElement {
  const status = h('span', { class: 'copy-status', 'aria-live': 'polite' });
  const button = h(
    'button',
    {
      type: 'button',
      class: 'copy',
      title: `Copy ${value}`,
      'aria-label': `Copy ${label} ${value}`,
      'data-copy': value,
      onclick: () => {
        navigator.clipboard.writeText(value).then(
          () => (status.textContent = 'copied'),
          () => (status.textContent = 'copy failed: the browser refused clipboard access'),
        );
        setTimeout(() => (status.textContent = ''), 2000);
      },
    },
    'Copy',
  );
  return h('span', { class: 'copy-wrap' }, button, status);
}

// A digest shown short, with a button that copies the whole of it.
export function digestWithCopy(digest: string, label = 'digest'): HTMLElement {
  return h('span', { class: 'digest' }, h('code', { title: digest }, shortDigest(digest)), ' ', copyButton(digest, label));
}
