import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lineUpHistory } from '../../inspector/page/views/config-view.js';
import { LayoutError, loadOciLayout } from '../../inspector/server/oci-layout.js';

const LAYOUT = fileURLToPath(new URL('../../samples/oci-layout', import.meta.url));

describe('the sample OCI layout', () => {
  const layout = loadOciLayout(LAYOUT);
  const hello = layout.repositories.get('library/hello')!;

  it('names three tags in library/hello', () => {
    expect([...layout.repositories.keys()]).toEqual(['library/hello']);
    expect([...hello.tags.keys()]).toEqual(['latest', 'oci', 'docker']);
  });

  it('reaches the index’s platform manifests and every config and layer', () => {
    const index = layout.manifest(hello.tags.get('latest')!)!;
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    const children = (JSON.parse(index.body.toString('utf8')) as { manifests: Array<{ digest: string }> }).manifests;
    expect(children).toHaveLength(2);
    for (const c of children) expect(hello.manifests.has(c.digest)).toBe(true);
    // 4 configs and 12 layers, of which the three amd64 images share their top layer.
    expect(hello.blobs.size).toBe(14);
  });

  it('refuses a directory that is not a layout', () => {
    expect(() => loadOciLayout(fileURLToPath(new URL('.', import.meta.url)))).toThrow(LayoutError);
  });
});

describe('history lined up with layers', () => {
  const layer = (n: number) => ({ mediaType: 'l', digest: `sha256:${String(n).repeat(64)}`, size: n });
  it('gives each non-empty step the next layer', () => {
    const { rows, mismatch } = lineUpHistory([{}, { empty_layer: true }, {}, { empty_layer: true }], [layer(1), layer(2)]);
    expect(rows.map((r) => r.layer?.index)).toEqual([0, undefined, 1, undefined]);
    expect(mismatch).toBeNull();
  });
  it('says when they do not line up', () => {
    expect(lineUpHistory([{}, {}, {}], [layer(1)]).mismatch).toBe(
      'The history has 3 steps that made layers, but the manifest has 1 layers, so the pairing below may be off.',
    );
  });
});
