// An OCI image layout that skopeo (Debian's) writes from the real registry, imported into the
// store: as a directory (read in Node and imported as a bundle) and as a tar (oci-archive:,
// read by the page). Then the page gets the manifests from the store with upstream offline.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { layoutToBundle } from '../../../src/core/bundle/oci-layout.js';
import { ACCEPT_ALL, pushImage } from '../../servers/images.js';
import { expect, test, uniqueRepo } from '../support/fixtures.js';
import { manifestAnswer, withBundleCode } from '../support/manifest-answer.js';
import { entries } from '../support/store-helpers.js';

const skopeo = (args: string[]) =>
  new Promise<void>((resolve, reject) =>
    execFile('skopeo', args, { timeout: 120_000 }, (error, _out, stderr) =>
      error ? reject(new Error(`skopeo ${args.join(' ')}: ${stderr}`)) : resolve(),
    ),
  );

interface PageApi {
  __regcachePlaywright: {
    importBundle(text: string, ttl: number): Promise<{ manifests: number; tags: number; rejected: unknown[] }>;
    importOciLayout(tar: string, target: object): Promise<{ manifests: number; tags: number; rejected: unknown[] }>;
  };
}

const get = manifestAnswer;

test('a layout skopeo writes, as a directory and as a tar: its index, manifests and tag are stored and served offline', async ({
  env,
  regcache,
}) => {
  const dir = await mkdtemp(join(tmpdir(), 'regcache-layout-'));
  try {
    const repo = uniqueRepo('layout');
    const image = await pushImage(env.registry.url, repo, 'v1', 'oci-index');
    const source = `docker://${new URL(env.registry.url).host}/${repo}:v1`;
    await skopeo(['copy', '--all', '--src-tls-verify=false', source, `oci:${join(dir, 'layout')}:v1`]);
    await skopeo(['copy', '--all', '--src-tls-verify=false', source, `oci-archive:${join(dir, 'layout.tar')}:v1`]);
    const digests = [image.digest, ...image.children.map((c) => c.digest)].sort();

    // The directory, read from disk.
    const read = async (path: string) => {
      try {
        return new Uint8Array(await readFile(join(dir, 'layout', path)));
      } catch {
        return null;
      }
    };
    const bundle = await layoutToBundle(read, { upstream: env.proxy.url, repository: repo, accept: ACCEPT_ALL.split(', ').sort() });
    expect(bundle.manifests.map((m) => m.digest).sort()).toEqual(digests);
    expect(bundle.tags.map((t) => [t.tag, t.digest])).toEqual([['v1', image.digest]]);

    const page = await regcache.open({ ttl: '3600' });
    await withBundleCode(page);
    const api = (p: Page) => p.evaluate.bind(p);
    const fromDir = await api(page)(
      (text) => (window as unknown as PageApi).__regcachePlaywright.importBundle(text, 3600),
      JSON.stringify(bundle),
    );
    expect(fromDir).toMatchObject({ manifests: digests.length, tags: 1, rejected: [] });

    env.proxy.offline(true);
    expect(await get(regcache, page, env, repo, 'v1')).toMatchObject({
      status: 200,
      digest: image.digest,
      cacheStatus: expect.stringMatching(/^regcache; hit/),
    });
    for (const child of image.children)
      expect((await get(regcache, page, env, repo, child.digest)).cacheStatus).toMatch(/^regcache; hit; ttl=/);

    // The tar, read by the page, under another repository name.
    const other = `${repo}-tar`;
    const tar = (await readFile(join(dir, 'layout.tar'))).toString('base64');
    const fromTar = await page.evaluate(
      ({ tar, target }) => (window as unknown as PageApi).__regcachePlaywright.importOciLayout(tar, target),
      { tar, target: { upstream: env.proxy.url, repository: other, accept: ACCEPT_ALL.split(', ').sort() } },
    );
    expect(fromTar).toMatchObject({ manifests: digests.length, tags: 1, rejected: [] });
    expect(
      (await entries(page))
        .filter((e) => e.repository === other)
        .map((e) => e.reference)
        .sort(),
    ).toEqual([...digests, 'v1'].sort());
    expect((await get(regcache, page, env, other, 'v1')).digest).toBe(image.digest);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
