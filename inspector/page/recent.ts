// The references viewed lately, kept in localStorage so that the welcome screen can offer
// them again, offline too. What is read back is checked like typed input: storage is the
// page's own, but a reference is still parsed before it becomes a link.
import { familiarString, type ImageReference, parseReference } from './reference.js';

const KEY = 'regcache-inspector-recent';
/** References kept, the latest first. */
export const MAX_RECENT = 12;

interface Stored {
  ref: string;
  upstream: string;
}

function read(): Stored[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(parsed)
      ? parsed.filter(
          (s): s is Stored => typeof s === 'object' && s !== null && typeof s.ref === 'string' && typeof s.upstream === 'string',
        )
      : [];
  } catch {
    return [];
  }
}

/** Notes `ref` as viewed through `upstream` (an origin). */
export function remember(ref: ImageReference, upstream: string): void {
  const text = familiarString(ref);
  const list = [{ ref: text, upstream }, ...read().filter((s) => !(s.ref === text && s.upstream === upstream))].slice(0, MAX_RECENT);
  try {
    localStorage.setItem(KEY, JSON.stringify(list));
  } catch {
    // Storage full or refused: nothing is remembered.
  }
}

/** The references viewed through `upstream`, the latest first. */
export function recent(upstream: string): ImageReference[] {
  const out: ImageReference[] = [];
  for (const s of read()) {
    if (s.upstream !== upstream || s.ref.length > 600) continue;
    try {
      out.push(parseReference(s.ref));
    } catch {
      // Not a reference: skipped.
    }
  }
  return out;
}

export function forgetRecent(): void {
  localStorage.removeItem(KEY);
}
