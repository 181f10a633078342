// The statistics of an answered request, counted once, from its final answer. What upstream
// calls cost is counted where they are made (upstream/calls.ts), re-checks and failed
// verifications where they happen (manifest-strategy.ts): no answer tells those apart.
import type { Stats } from '../reporting/stats.js';
import type { Reply } from './answers.js';

/** Counts one answered request: `requests`; `hits`, `stale` or `misses`; and the bytes a GET was served. */
export function tally(stats: Pick<Stats, 'bump'>, method: string, reply: Reply): void {
  const { status } = reply;
  stats.bump('requests');
  // From the store: fresh or revalidated, or stale because upstream could not be asked.
  if (status.hit) stats.bump(status.detail === 'stale' ? 'stale' : 'hits');
  // Forwarded: upstream was asked for the answer.
  else if (status.fwd) stats.bump('misses');
  if (method === 'GET') {
    stats.bump(
      'bytesServed',
      reply.kind === 'record' ? reply.record.size : reply.kind === 'pass' ? (reply.answer.body?.byteLength ?? 0) : 0,
    );
  }
}
