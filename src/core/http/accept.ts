// Registries choose a manifest by the request's Accept header, so a tag's answer is
// only reusable for requests that accept the same set of media types.
import { KNOWN_TYPES } from '../oci/media-types.js';

// A page sends the same few Accept headers over and over: each is parsed once.
const parsed = new Map<string, readonly string[]>();

export interface AcceptMember {
  // The media range as written, trimmed.
  type: string;
  // Whether it says q=0: "not acceptable" (RFC 9110 §12.4.2).
  refused: boolean;
}

// The members of one Accept header line.
export function acceptMembers(header: string): AcceptMember[] {
  return header.split(',').map((part) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim());
    return { type, refused: params.some((p) => /^q=0(\.0{0,3})?$/i.test(p.replace(/\s+/g, ''))) };
  });
}

// The media types a request accepts, sorted.
export function parseAccept(header: string | null): readonly string[] {
  if (!header) return [];
  const known = parsed.get(header);
  if (known) return known;
  const types = new Set<string>();
  for (const { type, refused } of acceptMembers(header)) {
    // Not a media range (RFC 9110 §12.5.1), so nothing a registry can match; it would also
    // read as a short code in acceptKey.
    if (refused || !type.includes('/')) continue;
    // Media types are case-insensitive (RFC 9110 §8.3.1).
    types.add(type.toLowerCase());
  }
  if (parsed.size >= 64) parsed.clear();
  const list = [...types].sort();
  parsed.set(header, list);
  return list;
}

// The set as a tag's key holds it. Known manifest types are written as their position in
// KNOWN_TYPES: the key sits in every tag record and every index entry pointing at one, and
// with four long types spelt out it made the tags most of the database, and sweeps slower.
// A code is digits and a media type has a '/', so the two cannot be confused.
export function acceptKey(types: readonly string[]): string {
  return types
    .map((t) => {
      const code = KNOWN_TYPES.indexOf(t);
      return code < 0 ? t : code;
    })
    .join(',');
}

export function acceptTypes(key: string): string[] {
  return key ? key.split(',').map((c) => (/^\d+$/.test(c) ? (KNOWN_TYPES[Number(c)] ?? c) : c)) : [];
}

export function mediaTypeOf(contentType: string | null): string {
  const [type = ''] = (contentType ?? '').split(';', 1);
  return type.trim().toLowerCase();
}

export function accepts(types: readonly string[], contentType: string): boolean {
  return types.includes(mediaTypeOf(contentType));
}
