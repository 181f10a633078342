import { describe, expect, it } from 'vitest';
import { RecordMemory } from '../../src/sw/storage/memory.js';
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
    const memory = new RecordMemory(1_000);
    const readStarted = memory.generation;
    memory.deleteManifests([['https://r.example', 'app', 'd1']]);
    memory.setManifest(manifest('d1'), readStarted);
    expect(memory.getManifest(['https://r.example', 'app', 'd1'])).toBeUndefined();
    // A read that started after the delete is fine.
    memory.setManifest(manifest('d1'), memory.generation);
    expect(memory.getManifest(['https://r.example', 'app', 'd1'])).toBeDefined();
  });

  it('stays within its byte limit, dropping the least recently used first', () => {
    const memory = new RecordMemory(250);
    memory.setManifest(manifest('a'));
    memory.setManifest(manifest('b'));
    memory.getManifest(['https://r.example', 'app', 'a']);
    memory.setManifest(manifest('c'));
    expect(memory.getManifest(['https://r.example', 'app', 'b'])).toBeUndefined();
    expect(memory.getManifest(['https://r.example', 'app', 'a'])).toBeDefined();
    expect(memory.getManifest(['https://r.example', 'app', 'c'])).toBeDefined();
    memory.setManifest(manifest('huge', 251));
    expect(memory.getManifest(['https://r.example', 'app', 'huge'])).toBeUndefined();
  });

  it('drops every Accept variant of a tag, and only that tag', () => {
    const memory = new RecordMemory(1_000);
    memory.setTag(tag('v1', 'a'));
    memory.setTag(tag('v1', 'b'));
    memory.setTag(tag('v10', 'a'));
    memory.deleteTagVariants('https://r.example', 'app', 'v1');
    expect(memory.getTag(['https://r.example', 'app', 'v1', 'a'])).toBeUndefined();
    expect(memory.getTag(['https://r.example', 'app', 'v1', 'b'])).toBeUndefined();
    expect(memory.getTag(['https://r.example', 'app', 'v10', 'a'])).toBeDefined();
  });
});
