import { describe, expect, it } from 'vitest';
import { RecordMemory } from '../../src/sw/storage/memory.js';
import { manifestCost, tagCost } from '../../src/sw/storage/record-cost.js';
import type { ManifestRecord, TagRecord } from '../../src/sw/storage/schema.js';

function manifest(digest: string, size = 100): ManifestRecord {
  return {
    upstream: 'https://r.example',
    repository: 'app',
    digest,
    mediaType: 'm',
    body: new ArrayBuffer(size),
    headers: { contentType: 'm', dockerContentDigest: digest, etag: null, apiVersion: null },
    size,
    fetchedAt: 0,
    confirmedAt: 0,
    expiresAt: 1,
    lastUsed: 0,
    private: false,
  };
}

const app = (digest: string): ['https://r.example', 'app', string] => ['https://r.example', 'app', digest];

function tag(name: string, accept = 'a'): TagRecord {
  return {
    upstream: 'https://r.example',
    repository: 'app',
    tag: name,
    accept,
    digest: 'd',
    fetchedAt: 0,
    confirmedAt: 0,
    expiresAt: 1,
    lastUsed: 0,
    private: false,
  };
}

describe('the in-memory copy', () => {
  it('does not keep a record read before a delete finished', () => {
    const memory = new RecordMemory(10_000, 100);
    const readStarted = memory.generation;
    memory.delete([['https://r.example', 'app', 'd1']]);
    memory.remember(manifest('d1'), readStarted);
    expect(memory.recall(['https://r.example', 'app', 'd1'])).toBeUndefined();
    // A read that started after the delete is fine.
    memory.remember(manifest('d1'), memory.generation);
    expect(memory.recall(['https://r.example', 'app', 'd1'])).toBeDefined();
  });

  it('stays within its byte limit, counted as maxBytes counts, dropping the least recently used first', () => {
    const cost = manifestCost(manifest('a'));
    // The body is the least of it: each record also costs its headers, keys and overhead.
    expect(cost).toBeGreaterThan(5 * 100);
    const memory = new RecordMemory(2 * cost + cost / 2, 100);
    memory.remember(manifest('a'));
    memory.remember(manifest('b'));
    memory.recall(app('a'));
    memory.remember(manifest('c'));
    expect(memory.recall(app('b'))).toBeUndefined();
    expect(memory.recall(app('a'))).toBeDefined();
    expect(memory.recall(app('c'))).toBeDefined();
    memory.remember(manifest('huge', 3 * cost));
    expect(memory.recall(app('huge'))).toBeUndefined();
    expect(memory.recall(app('c'))).toBeDefined();
  });

  it('counts tags too, though they have no body', () => {
    const one = tagCost(['https://r.example', 'app', 't10', 'a'], 'd');
    expect(one).toBeGreaterThan(512);
    const memory = new RecordMemory(10 * one, 1_000);
    for (let i = 0; i < 20; i++) memory.remember(tag(`t${i}`));
    // Room for ten: the ten most recent are kept.
    expect(memory.recall(['https://r.example', 'app', 't9', 'a'])).toBeUndefined();
    for (let i = 10; i < 20; i++) expect(memory.recall(['https://r.example', 'app', `t${i}`, 'a'])).toBeDefined();
    // A tag read counts as a use, as a manifest read does.
    memory.recall(['https://r.example', 'app', 't10', 'a']);
    memory.remember(manifest('m', 0));
    expect(memory.recall(['https://r.example', 'app', 't10', 'a'])).toBeDefined();
    expect(memory.recall(['https://r.example', 'app', 't11', 'a'])).toBeUndefined();
  });

  it('holds at most its number of records, however small they are', () => {
    const memory = new RecordMemory(1 << 30, 3);
    for (const d of ['a', 'b', 'c']) memory.remember(manifest(d, 0));
    memory.recall(app('a'));
    memory.remember(tag('v1'));
    memory.remember(manifest('d', 0));
    expect(memory.recall(app('b'))).toBeUndefined();
    expect(memory.recall(app('c'))).toBeUndefined();
    expect(memory.recall(app('a'))).toBeDefined();
    expect(memory.recall(['https://r.example', 'app', 'v1', 'a'])).toBeDefined();
    expect(memory.recall(app('d'))).toBeDefined();
    // Deleting frees a place.
    memory.delete([app('a')]);
    memory.remember(manifest('e', 0));
    expect(memory.recall(['https://r.example', 'app', 'v1', 'a'])).toBeDefined();
  });

  it('drops every Accept variant of a tag, and only that tag', () => {
    const memory = new RecordMemory(100_000, 100);
    memory.remember(tag('v1', 'a'));
    memory.remember(tag('v1', 'b'));
    memory.remember(tag('v10', 'a'));
    memory.deleteTagVariants('https://r.example', 'app', 'v1');
    expect(memory.recall(['https://r.example', 'app', 'v1', 'a'])).toBeUndefined();
    expect(memory.recall(['https://r.example', 'app', 'v1', 'b'])).toBeUndefined();
    expect(memory.recall(['https://r.example', 'app', 'v10', 'a'])).toBeDefined();
  });
});
