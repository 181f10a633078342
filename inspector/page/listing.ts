// A registry's repositories (`/v2/_catalog`) or one repository's tags (`tags/list`), paged
// with `n` and the `Link` header as distribution pages them. What the registry lists is
// not trusted: pages, names and the total are bounded, every name is checked against the
// grammar in src/core/oci/grammar.ts, and a next page elsewhere is not followed.
import { isValidName, isValidTag, MAX_NAME_LENGTH } from '../../src/core/oci/grammar.js';
import { nextPage } from './link-header.js';
import { RegistryProblem } from './problems.js';
import type { RegistryClient } from './registry-client.js';
import { isRecord, list } from './untrusted.js';

/** Names asked for per page (`n`): distribution's own default, 100. */
export const PAGE_SIZE = 100;
/** Pages followed at most for one listing. */
export const MAX_PAGES = 50;
/** Names kept at most for one listing; the rest are counted, not kept. */
export const MAX_NAMES = 5000;

export type ListingKind = 'catalog' | 'tags';

export interface Listing {
  kind: ListingKind;
  /** The repository, for tags. */
  repository: string | null;
  /** Valid, distinct names, in the registry's order. */
  names: string[];
  /** Entries that were not names of this kind (or repeated ones), left out. */
  rejected: number;
  /** Why the listing stopped before its end, if it did. */
  stopped: string | null;
  pages: number;
  /** Listed from what regcache holds, not from the registry (offline). */
  offline?: boolean;
}

const valid = (kind: ListingKind, value: unknown): value is string =>
  typeof value === 'string' && (kind === 'tags' ? isValidTag(value) : value.length <= MAX_NAME_LENGTH && isValidName(value));

/** Every page of a listing, within the bounds above. Throws a RegistryProblem when the first page fails. */
export async function listAll(client: RegistryClient, kind: ListingKind, repository: string | null = null): Promise<Listing> {
  const path = kind === 'catalog' ? '/v2/_catalog' : `/v2/${repository}/tags/list`;
  let url: URL | null = new URL(`${client.origin}${path}?n=${PAGE_SIZE}`);
  const seen = new Set<string>();
  const names = new Set<string>();
  const result: Listing = { kind, repository, names: [], rejected: 0, stopped: null, pages: 0 };
  while (url) {
    if (result.pages >= MAX_PAGES) {
      result.stopped = `the list goes on past ${MAX_PAGES} pages`;
      break;
    }
    seen.add(url.href);
    let page: { json: unknown; link: string | null };
    try {
      page = await client.listing(url.href, repository ?? '', kind === 'catalog' ? 'the list of repositories' : 'the list of tags');
    } catch (error) {
      if (result.pages === 0) throw error;
      result.stopped = `page ${result.pages + 1} failed: ${error instanceof RegistryProblem ? error.message : String(error)}`;
      break;
    }
    result.pages++;
    const body = isRecord(page.json) ? page.json : {};
    const entries = list(kind === 'catalog' ? body.repositories : body.tags);
    if (!isRecord(page.json) || !Array.isArray(kind === 'catalog' ? body.repositories : body.tags)) {
      // distribution sends "tags": null for a repository without tags.
      if (!(kind === 'tags' && isRecord(page.json) && body.tags === null)) {
        throw new RegistryProblem(
          'invalid',
          `${client.host} answered the ${kind === 'catalog' ? 'catalog' : 'tag list'} with something other than a list.`,
        );
      }
    }
    for (const entry of entries) {
      if (!valid(kind, entry) || names.has(entry)) result.rejected++;
      else if (names.size < MAX_NAMES) names.add(entry);
      else {
        result.stopped = `more than ${MAX_NAMES} names`;
        break;
      }
    }
    if (result.stopped) break;
    const next = nextPage(page.link, url);
    if (next && 'refused' in next) {
      result.stopped = `${client.host} pointed to ${next.refused}, which the inspector does not follow`;
      break;
    }
    url = next?.url ?? null;
    if (url && seen.has(url.href)) {
      result.stopped = `${client.host} pointed back to a page already read`;
      break;
    }
  }
  result.names = [...names];
  return result;
}

/** Edit distance (insertions, deletions, substitutions), for "did you mean". */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/** Up to `count` names close to `wanted`: a shared prefix or a small edit distance, closest first. */
export function suggestions(wanted: string, names: readonly string[], count = 3): string[] {
  const w = wanted.toLowerCase();
  const scored = names
    .slice(0, MAX_NAMES)
    .map((name) => {
      const n = name.toLowerCase();
      const distance = editDistance(w.slice(0, 64), n.slice(0, 64));
      const related = n.startsWith(w) || w.startsWith(n) || n.includes(w);
      return { name, distance, related };
    })
    .filter((s) => s.related || s.distance <= Math.max(2, Math.floor(w.length / 3)));
  scored.sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
  return scored.slice(0, count).map((s) => s.name);
}
