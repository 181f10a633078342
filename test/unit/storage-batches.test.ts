// How the sweep and the last-use writes cut their work into transactions, on an in-memory
// stand-in for IndexedDB that, like Chromium, leaves deleted records' index entries behind.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/sw/storage/database.js';
import { nothingRemoved } from '../../src/sw/storage/deletes.js';
import { touchRecords, type Uses } from '../../src/sw/storage/records.js';
import type { ManifestKey, ManifestRecord, TagKey, TagRecord } from '../../src/sw/storage/schema.js';
import { sweepExpired } from '../../src/sw/storage/sweep.js';
import { FakeDb, installKeyRange } from './support/fake-records-db.js';

const UP = 'https://r.example';
const NOW = 1_000_000;

function manifest(i: number, expiresAt: number): ManifestRecord {
  const digest = `sha256:${i.toString(16).padStart(64, '0')}`;
  return {
    upstream: UP,
    repository: `app-${i % 7}`,
    digest,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    body: new ArrayBuffer(8),
    headers: { contentType: 'application/vnd.oci.image.manifest.v1+json', dockerContentDigest: digest, etag: null, apiVersion: null },
    size: 8,
    fetchedAt: 0,
    confirmedAt: 0,
    expiresAt,
    lastUsed: 0,
    private: false,
  };
}

function tag(m: ManifestRecord, name: string, expiresAt = m.expiresAt): TagRecord {
  const { upstream, repository, digest } = m;
  return { upstream, repository, tag: name, accept: '0', digest, fetchedAt: 0, confirmedAt: 0, expiresAt, lastUsed: 0, private: false };
}

// `count` manifests each with a tag, expiring at `expiresAt(i)`.
function seed(db: FakeDb, from: number, count: number, expiresAt: (i: number) => number): ManifestRecord[] {
  const out = [];
  for (let i = from; i < from + count; i++) {
    const m = manifest(i, expiresAt(i));
    db.put('manifests', m);
    db.put('tags', tag(m, `t${i}`));
    out.push(m);
  }
  return out;
}

const asDb = (db: FakeDb) => db as unknown as Db;

beforeAll(installKeyRange);

describe('sweepExpired', () => {
  it('deletes every expired record and its tags, and leaves the live ones', async () => {
    const db = new FakeDb();
    seed(db, 0, 130, (i) => NOW - 1000 + i);
    // Many with one expiry, across batch boundaries.
    seed(db, 1000, 120, () => NOW - 5);
    const live = seed(db, 5000, 20, () => NOW + 60_000);
    // A tag that expires before its live manifest goes alone.
    db.put('tags', tag(live[0]!, 'early', NOW - 1));
    const result = nothingRemoved();
    await sweepExpired(asDb(db), NOW, result);
    expect(result.manifests).toHaveLength(250);
    expect(result.tags).toHaveLength(251);
    expect(db.stores.get('manifests')!.size).toBe(20);
    expect(db.stores.get('tags')!.size).toBe(20);
  });

  // Each batch reads on from where the last stopped: the index entries the earlier batches
  // left behind are stepped over once, not again by every later batch.
  it('walks the expiry index about once, however many batches it takes', async () => {
    const db = new FakeDb();
    seed(db, 0, 500, (i) => NOW - 10_000 + i);
    seed(db, 5000, 100, () => NOW + 60_000);
    const result = nothingRemoved();
    await sweepExpired(asDb(db), NOW, result);
    expect(result.manifests).toHaveLength(500);
    // 500 entries, plus the few the first look and each batch's start step over again.
    expect(db.scanned.get('manifests/by-expiry')).toBeLessThan(600);
    // The tags went with their manifests: their entries are walked once too.
    expect(db.scanned.get('tags/by-expiry')).toBeLessThan(1100);

    // A second round, on top of what the first left behind.
    db.scanned.clear();
    seed(db, 0, 500, (i) => NOW + 1 + i);
    await sweepExpired(asDb(db), NOW + 10_000, nothingRemoved());
    expect(db.stores.get('manifests')!.size).toBe(100);
    // The first look and the first batch each step over what the last sweep left behind.
    expect(db.scanned.get('manifests/by-expiry')).toBeLessThan(1600);
  });

  it('looks first, and writes nothing when nothing has expired', async () => {
    const db = new FakeDb();
    seed(db, 0, 10, () => NOW + 1);
    await sweepExpired(asDb(db), NOW, nothingRemoved());
    expect(db.transactions.every((t) => t.mode === 'readonly')).toBe(true);
  });
});

describe('touchRecords', () => {
  const uses = <K>(keys: K[], at: number): Uses<K> => new Map(keys.map((key, i) => [String(i), { key, at }]));

  it('moves last-use times forward only, and never brings a deleted record back', async () => {
    const db = new FakeDb();
    const [a, b] = seed(db, 0, 2, () => NOW);
    const ka: ManifestKey = [a!.upstream, a!.repository, a!.digest];
    const kb: ManifestKey = [b!.upstream, b!.repository, b!.digest];
    await touchRecords(asDb(db), uses([ka], 900), new Map());
    await touchRecords(asDb(db), uses([ka], 800), new Map());
    expect((db.get('manifests', ka) as ManifestRecord).lastUsed).toBe(900);
    db.stores.get('manifests')!.delete(JSON.stringify(kb));
    await touchRecords(asDb(db), uses([kb], 900), new Map());
    expect(db.get('manifests', kb)).toBeUndefined();
  });

  it('writes an expiry extension before the last-use times, in order', async () => {
    const db = new FakeDb();
    const [a] = seed(db, 0, 1, () => NOW);
    const ka: ManifestKey = [a!.upstream, a!.repository, a!.digest];
    const kt: TagKey = [a!.upstream, a!.repository, 't0', '0'];
    const ext = (expiresAt: number) => ({ manifest: ka, tag: kt, confirmedAt: expiresAt - 10, expiresAt });
    await touchRecords(asDb(db), uses([ka], 700), uses([kt], 700), [ext(NOW + 5), ext(NOW + 9)]);
    expect(db.get('manifests', ka)).toMatchObject({ expiresAt: NOW + 9, lastUsed: 700 });
    expect(db.get('tags', kt)).toMatchObject({ expiresAt: NOW + 9, lastUsed: 700 });
  });
});
