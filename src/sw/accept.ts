// Registries choose a manifest by the request's Accept header, so a tag's answer is
// only reusable for requests that accept the same set of media types.

export function parseAccept(header: string | null): string[] {
  if (!header) return [];
  const types = new Set<string>();
  for (const part of header.split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!type) continue;
    // q=0 means "not acceptable" (RFC 9110 §12.4.2).
    if (params.some((p) => /^q=0(\.0{0,3})?$/.test(p.replace(/\s+/g, '')))) continue;
    types.add(type);
  }
  return [...types].sort();
}

export function acceptKey(types: readonly string[]): string {
  return types.join(',');
}

export function mediaTypeOf(contentType: string | null): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

export function accepts(types: readonly string[], contentType: string): boolean {
  return types.includes(mediaTypeOf(contentType));
}
