// Conditional requests: whether an If-None-Match header names one of a response's entity tags.

// RFC 9110 §13.1.2: a list of entity tags compared weakly (W/ is ignored), or *. The
// caller lists every tag its response goes by; null and empty ones are left out.
export function etagMatches(ifNoneMatch: string | null | undefined, etags: Iterable<string | null>): boolean {
  if (!ifNoneMatch) return false;
  const candidates = new Set([...etags].filter((etag) => etag));
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || candidates.has(t));
}
