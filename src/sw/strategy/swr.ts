// Stale-while-revalidate for tags (the `swr` option): when a stored tag may be served at once
// while its re-check runs in the background, and what that re-check's answer means for the
// store and for the pages.
import type { RegcacheConfig } from '../../core/config.js';
import { isCanonicalDigest } from '../../core/oci/digest.js';
import type { Reply } from './answers.js';
import { headerOf } from './recheck.js';

/** Whether a tag confirmed at `confirmedAt` (ms) is, at `now`, within `swr` seconds after its `fresh` window. */
export function withinSwr(config: Pick<RegcacheConfig, 'fresh' | 'swr'>, confirmedAt: number, now: number): boolean {
  return now - confirmedAt < (config.fresh + config.swr) * 1000;
}

/**
 * What a background re-check's reply leaves to do: `drop` the tag's Accept variant, since
 * what the store holds for it is known wrong and nothing replaced it; `to`, the digest the
 * tag names now (null when unknown); `gone`, upstream answered 404.
 */
export function afterRevalidation(reply: Reply): { drop: boolean; to: string | null; gone: boolean } {
  const { status } = reply;
  if (reply.kind === 'record') return { drop: !status.hit && !status.stored, to: reply.record.digest, gone: false };
  if (reply.kind !== 'pass' || reply.answer.status > 299) {
    const gone = reply.kind === 'pass' && reply.answer.status === 404;
    return { drop: gone, to: null, gone };
  }
  // A 2xx passed through: a moved tag asked by HEAD (no pull spent), or an answer not stored.
  const named = headerOf(reply.answer, 'docker-content-digest');
  return { drop: true, to: named && isCanonicalDigest(named) ? named : null, gone: false };
}
