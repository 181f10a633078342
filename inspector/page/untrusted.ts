// Reading what a registry sent. Manifests, indexes and configs are JSON from a registry
// the inspector does not control (docs/security.md): any field may be missing or of any
// type, an array may be huge and a value nested deeper than the stack. Views read fields
// through these helpers, so a wrong type shows as text and never throws.

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// The value if it is an object (not an array), else an empty one.
export function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

// The value if it is an array, else an empty one.
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

// The longest text shown for one value; the raw JSON at the bottom of a view has the rest.
export const TEXT_LIMIT = 2000;

function clip(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)}… (${text.length - limit} more characters)` : text;
}

// Any value as text: a string as it is, anything else as JSON.
export function text(value: unknown, limit = TEXT_LIMIT): string {
  if (typeof value === 'string') return clip(value, limit);
  if (value === undefined) return '';
  try {
    return clip(JSON.stringify(value) ?? String(value), limit);
  } catch {
    // Deeper than JSON.stringify's stack.
    return '(a value nested too deeply to show)';
  }
}

// How many items of any one list a view shows: a registry can send hundreds of thousands.
export const SHOWN_ITEMS = 500;

export function firstItems<T>(items: readonly T[], limit = SHOWN_ITEMS): { shown: T[]; hidden: number } {
  return { shown: items.slice(0, limit), hidden: Math.max(0, items.length - limit) };
}

// The shape of a digest in the OCI grammar (algorithm:encoded), before it goes into a URL.
const DIGEST_SHAPE = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export function looksLikeDigest(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 200 && DIGEST_SHAPE.test(value);
}
