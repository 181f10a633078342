// Maintenance.evict() after a write the quota refused: it waits until the browser's
// estimate shows the freed space, and not at all where there is no estimate (WebKitGTK has
// no navigator.storage, in the page or the worker).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Maintenance } from '../../src/sw/housekeeping/maintenance.js';
import type { Events } from '../../src/sw/reporting/events.js';
import type { Stats } from '../../src/sw/reporting/stats.js';
import type { Recency } from '../../src/sw/storage/recency.js';
import type { ManifestStore } from '../../src/sw/storage/store.js';

function maintenance(): Maintenance {
  const store = { evict: async () => ({ manifests: [{}], tags: [], visited: 1 }) } as unknown as ManifestStore;
  return new Maintenance({
    store,
    stats: { bump: () => {} } as unknown as Stats,
    recency: { flush: async () => {} } as unknown as Recency,
    events: {} as Events,
    maxBytes: 1_000_000,
    now: () => 0,
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('evict() for a refused write', () => {
  it('without navigator.storage, returns at once', async () => {
    vi.stubGlobal('navigator', {});
    const timeouts = vi.spyOn(globalThis, 'setTimeout');
    const started = Date.now();
    await maintenance().evict(1_000);
    expect(timeouts).not.toHaveBeenCalled();
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('with an estimate, waits until the freed bytes show in it', async () => {
    const usages = [5_000, 5_000, 4_500, 3_900];
    const estimate = vi.fn(async () => ({ usage: usages.shift() ?? 3_900, quota: 10_000 }));
    vi.stubGlobal('navigator', { storage: { estimate } });
    await maintenance().evict(1_000);
    // The estimate before, then polls until usage is at most 5,000 - 1,000.
    expect(estimate).toHaveBeenCalledTimes(4);
  });
});
