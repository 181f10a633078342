// The generated parts of the docs pages (docs/size.md, docs/reliability.md,
// docs/performance.md) sit between two marker comments; this puts new content between a
// pair, leaving the markers and all else.
import { readFileSync, writeFileSync } from 'node:fs';

// Returns whether the file changed. Throws when the markers are missing or out of order.
export function replaceSection(path, start, end, content) {
  const text = readFileSync(path, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${path} has no ${start} … ${end} section`);
  const next = `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
  if (next !== text) writeFileSync(path, next);
  return next !== text;
}
