import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLE_FORMAT, type Bundle } from '../../src/core/bundle/format.js';
import { mergeIntoBundleFile } from '../../src/playwright/bundle-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'regcache-bundle-file-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
function bundleOf(n: number): Bundle {
  return {
    format: BUNDLE_FORMAT,
    version: 1,
    createdAt: n,
    manifests: [
      {
        upstream: 'https://registry.example',
        repository: `team/app${n}`,
        digest: digest(n),
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        body: 'e30=',
        headers: { contentType: 'application/vnd.oci.image.manifest.v1+json', dockerContentDigest: null, etag: null, apiVersion: null },
        fetchedAt: n,
        confirmedAt: n,
        private: false,
      },
    ],
    tags: [],
  };
}

describe('the bundle file', () => {
  it('loses no record when many writers merge at once, and leaves no lock or temporary file', async () => {
    const path = join(dir, 'suite.bundle.json');
    await Promise.all(Array.from({ length: 20 }, (_, n) => mergeIntoBundleFile(path, [bundleOf(n)])));
    const merged = JSON.parse(await readFile(path, 'utf8')) as Bundle;
    expect(merged.manifests.map((m) => m.digest).sort()).toEqual(Array.from({ length: 20 }, (_, n) => digest(n)).sort());
    expect(await readdir(dir)).toEqual(['suite.bundle.json']);
  });

  it('refuses to overwrite a file that is not a bundle it reads', async () => {
    const path = join(dir, 'suite.bundle.json');
    await writeFile(path, '{"format":"regcache-bundle","version":2,"manifests":[],"tags":[]}');
    await expect(mergeIntoBundleFile(path, [bundleOf(1)])).rejects.toThrow(/bundle version 2 is not understood/);
    await writeFile(path, '{"format":"regcache-bundle","version":1,"manif');
    await expect(mergeIntoBundleFile(path, [bundleOf(1)])).rejects.toThrow(/not valid JSON/);
    expect(await readFile(path, 'utf8')).toBe('{"format":"regcache-bundle","version":1,"manif');
    expect(await readdir(dir)).toEqual(['suite.bundle.json']);
  });

  it('takes over a lock left by a writer that died long ago', async () => {
    const path = join(dir, 'suite.bundle.json');
    await writeFile(`${path}.lock`, '12345');
    const { utimes } = await import('node:fs/promises');
    await utimes(`${path}.lock`, new Date(0), new Date(0));
    await mergeIntoBundleFile(path, [bundleOf(1)]);
    expect((JSON.parse(await readFile(path, 'utf8')) as Bundle).manifests).toHaveLength(1);
  });
});
