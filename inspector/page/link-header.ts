// The next page of a registry listing (`/v2/_catalog`, `tags/list`), from its `Link` header
// as distribution writes it: `</v2/_catalog?last=b&n=100>; rel="next"`. The header is the
// registry's, so it is not trusted: only a next page on the same origin and the same path
// as the page that named it is followed, never another origin, path or scheme.

/** Past this a `Link` header is not read (bytes); a real one is well under 1 KiB. */
export const MAX_LINK_LENGTH = 4096;

export type NextPage = { url: URL } | { refused: string } | null;

/**
 * The `rel="next"` target of a `Link` header, resolved against `current` (the page's URL),
 * if it may be followed: `null` when there is none, `refused` with a reason when it points
 * elsewhere (another origin, another path) or cannot be read.
 */
export function nextPage(header: string | null, current: URL): NextPage {
  if (header === null || header.trim() === '') return null;
  if (header.length > MAX_LINK_LENGTH) return { refused: `a Link header of ${header.length} characters` };
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*((?:;\s*[^;]*)*)$/.exec(part);
    if (!m) continue;
    const params = m[2] ?? '';
    if (!/;\s*rel\s*=\s*"?(?:[^";]*\s)?next(?:\s[^";]*)?"?\s*(?:;|$)/i.test(params)) continue;
    let url: URL;
    try {
      url = new URL(m[1] ?? '', current);
    } catch {
      return { refused: `a next page that is not a URL (“${(m[1] ?? '').slice(0, 100)}”)` };
    }
    if (url.origin !== current.origin) return { refused: `a next page on another origin (${url.origin.slice(0, 100)})` };
    if (url.pathname !== current.pathname) return { refused: `a next page at another path (${url.pathname.slice(0, 100)})` };
    url.hash = '';
    return { url };
  }
  return null;
}
