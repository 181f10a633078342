import { describe, expect, it } from 'vitest';
import { StorageFullError } from '../../src/sw/storage/records.js';
import { save } from '../../src/sw/storage/save.js';
import type { ManifestRecord, TagRecord } from '../../src/sw/storage/schema.js';

const manifest = { size: 100, expiresAt: 5000 } as ManifestRecord;
const tag = { expiresAt: 4000 } as TagRecord;

function setup(puts: (boolean | Error)[]) {
  const log: string[] = [];
  const store = {
    put: async () => {
      const next = puts.shift();
      log.push('put');
      if (next instanceof Error) throw next;
      return next ?? true;
    },
  };
  const maintenance = {
    evict: async (bytes: number) => void log.push(`evict ${bytes}`),
    afterStore: async (record: { expiresAt: number }) => void log.push(`afterStore ${record.expiresAt}`),
  };
  return { log, run: (m: ManifestRecord | null, t: TagRecord | null) => save(store, maintenance, m, t) };
}

describe('save', () => {
  it('stores, then lets maintenance note the expiry and keep the budget', async () => {
    const { log, run } = setup([true]);
    expect(await run(manifest, tag)).toBe(true);
    expect(log).toEqual(['put', 'afterStore 5000']);
  });

  it('a tag alone (a moved tag) is noted and kept within the budget too', async () => {
    const { log, run } = setup([true]);
    expect(await run(null, tag)).toBe(true);
    expect(log).toEqual(['put', 'afterStore 4000']);
  });

  it('a full quota evicts the bytes needed and retries once', async () => {
    const { log, run } = setup([new StorageFullError('full'), true]);
    expect(await run(manifest, tag)).toBe(true);
    expect(log).toEqual(['put', 'evict 100', 'put', 'afterStore 5000']);
  });

  it('a quota still full is not stored, and not an error', async () => {
    const { log, run } = setup([new StorageFullError('full'), new StorageFullError('full')]);
    expect(await run(manifest, null)).toBe(false);
    expect(log).toEqual(['put', 'evict 100', 'put']);
  });

  it('a write the store declined is not scheduled', async () => {
    const { log, run } = setup([false]);
    expect(await run(null, tag)).toBe(false);
    expect(log).toEqual(['put']);
  });

  it('other errors are not storage’s to hide', async () => {
    const { run } = setup([new TypeError('bug')]);
    await expect(run(manifest, tag)).rejects.toThrow('bug');
  });
});
