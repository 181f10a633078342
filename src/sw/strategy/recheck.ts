// What re-checking a stored answer with a HEAD found out, as one tagged union that the
// serving decisions read.
import { isCanonicalDigest } from '../../core/oci/digest.js';
import type { UpstreamAnswer } from '../upstream/calls.js';

/** The outcome of re-checking a stored answer with upstream. */
export type Recheck =
  // A 2xx naming the stored digest.
  | { kind: 'confirmed' }
  // A 2xx naming another digest, or none usable (null): the content is not confirmed.
  | { kind: 'moved'; digest: string | null; answer: UpstreamAnswer }
  // 401, 403, 404 and any other answer that is not a 2xx, a 429 or a 5xx.
  | { kind: 'refused'; answer: UpstreamAnswer }
  // A 5xx.
  | { kind: 'failing'; answer: UpstreamAnswer }
  // A 429; `until` is when upstream may be asked again (ms since the epoch), null if unknown.
  | { kind: 'rate-limited'; until: number | null; answer: UpstreamAnswer }
  // An earlier 429's Retry-After is still running: nothing was sent.
  | { kind: 'rate-limited'; until: number; answer: null }
  // No answer: a network error or a timeout.
  | { kind: 'unreachable' };

/**
 * The value of a header of an upstream answer (`name` in lower case), or null. The names are
 * in lower case already: a `Headers` object lists them so (calls.ts copies them from one).
 */
export function headerOf(answer: UpstreamAnswer, name: string): string | null {
  const found = answer.headers.find(([n]) => n === name);
  return found ? found[1] : null;
}

/**
 * Reads a re-check's HEAD answer (null when none came) against the digest stored. `block`
 * hears a 429's Retry-After and answers until when to wait.
 */
export function readRecheck(answer: UpstreamAnswer | null, stored: string, block: (retryAfter: string | null) => number | null): Recheck {
  if (!answer) return { kind: 'unreachable' };
  const { status } = answer;
  if (status === 429) return { kind: 'rate-limited', until: block(headerOf(answer, 'retry-after')), answer };
  if (status >= 500) return { kind: 'failing', answer };
  if (status < 200 || status > 299) return { kind: 'refused', answer };
  // The digest named here may be fetched next, with the page's credentials: only a
  // canonical one goes into a URL. Without one, the tag is fetched by tag.
  const named = headerOf(answer, 'docker-content-digest');
  const digest = named && isCanonicalDigest(named) ? named : null;
  return digest === stored ? { kind: 'confirmed' } : { kind: 'moved', digest, answer };
}
