// Registries choose a manifest by the request's Accept header, so a tag's answer is
// only reusable for requests that accept the same set of media types.

// A page sends the same few Accept headers over and over: each is parsed once.
const parsed = new Map<string, readonly string[]>();

export function parseAccept(header: string | null): readonly string[] {
  if (!header) return [];
  const known = parsed.get(header);
  if (known) return known;
  const types = new Set<string>();
  for (const part of header.split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!type) continue;
    // q=0 means "not acceptable" (RFC 9110 §12.4.2).
    if (params.some((p) => /^q=0(\.0{0,3})?$/.test(p.replace(/\s+/g, '')))) continue;
    types.add(type);
  }
  if (parsed.size >= 64) parsed.clear();
  const list = [...types].sort();
  parsed.set(header, list);
  return list;
}

export function acceptKey(types: readonly string[]): string {
  return types.join(',');
}

export function mediaTypeOf(contentType: string | null): string {
  const [type = ''] = (contentType ?? '').split(';', 1);
  return type.trim().toLowerCase();
}

export function accepts(types: readonly string[], contentType: string): boolean {
  return types.includes(mediaTypeOf(contentType));
}
