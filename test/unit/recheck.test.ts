import { describe, expect, it } from 'vitest';
import { readRecheck } from '../../src/sw/strategy/recheck.js';
import type { UpstreamAnswer } from '../../src/sw/upstream/calls.js';

const STORED = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;

// Headers listed as calls.ts lists an answer's: through a Headers object, names in lower case.
function answer(status: number, headers: Record<string, string> = {}): UpstreamAnswer {
  return { status, statusText: '', headers: [...new Headers(headers)], body: null };
}

const never = () => {
  throw new Error('only a 429 consults the gate');
};

describe('readRecheck', () => {
  it('no answer: unreachable', () => {
    expect(readRecheck(null, STORED, never)).toEqual({ kind: 'unreachable' });
  });

  it('a 2xx naming the stored digest: confirmed', () => {
    expect(readRecheck(answer(200, { 'Docker-Content-Digest': STORED }), STORED, never)).toEqual({ kind: 'confirmed' });
  });

  it('a 2xx naming another digest: moved to it', () => {
    const a = answer(200, { 'docker-content-digest': OTHER });
    expect(readRecheck(a, STORED, never)).toEqual({ kind: 'moved', digest: OTHER, answer: a });
  });

  it('a 2xx naming no canonical digest: moved, to no digest usable in a URL', () => {
    for (const named of [
      {} as Record<string, string>,
      { 'Docker-Content-Digest': STORED.toUpperCase() },
      { 'Docker-Content-Digest': '../x' },
    ]) {
      const a = answer(200, named);
      expect(readRecheck(a, STORED, never)).toEqual({ kind: 'moved', digest: null, answer: a });
    }
  });

  it.each([401, 403, 404, 304, 410])('%i: refused', (status) => {
    const a = answer(status);
    expect(readRecheck(a, STORED, never)).toEqual({ kind: 'refused', answer: a });
  });

  it.each([500, 502, 503])('%i: failing', (status) => {
    const a = answer(status);
    expect(readRecheck(a, STORED, never)).toEqual({ kind: 'failing', answer: a });
  });

  it('429: rate-limited until the gate says, given the Retry-After', () => {
    const heard: (string | null)[] = [];
    const gate = (until: number | null) => (retryAfter: string | null) => {
      heard.push(retryAfter);
      return until;
    };
    const a = answer(429, { 'Retry-After': '30' });
    expect(readRecheck(a, STORED, gate(1234))).toEqual({ kind: 'rate-limited', until: 1234, answer: a });
    expect(readRecheck(answer(429), STORED, gate(null))).toMatchObject({ until: null });
    expect(heard).toEqual(['30', null]);
  });
});
