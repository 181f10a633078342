// "Open an OCI layout…": a directory or a tar (`skopeo copy … oci:DIR` / `oci-archive:FILE`)
// picked by the user, whose manifests and indexes go into regcache's store through
// importOciLayout(), and whose image configs go into the page's own config store, so that
// images pulled on another machine can be viewed offline. A layout is attacker-supplied:
// every file read is bounded, every digest checked, and the whole layout is refused (nothing
// stored) when any part of it is damaged.
import { importOciLayout, type LayoutSource } from '../../../src/client/index.js';
import { readBundle } from '../../../src/core/bundle/format.js';
import { LayoutError, type LayoutReader, layoutToBundle } from '../../../src/core/bundle/oci-layout.js';
import { readTar } from '../../../src/core/bundle/tar.js';
import { verifyBundle } from '../../../src/core/bundle/verify.js';
import { isCanonicalDigest, matchesDigest } from '../../../src/core/oci/digest.js';
import { isValidName } from '../../../src/core/oci/grammar.js';
import { upstreamFromQuery } from '../config.js';
import type { ConfigStore } from '../config-store.js';
import { h, replaceChildren } from '../dom.js';
import { REGISTRY_ID_HEADER } from '../offline-names.js';
import { isRecord, record } from '../untrusted.js';

/** The largest tar read (bytes): it is read into memory whole. */
export const MAX_LAYOUT_TAR_BYTES = 256 * 1024 * 1024;
/** The largest single file read from a layout (bytes): index.json, a manifest or a config. */
export const MAX_LAYOUT_FILE_BYTES = 4 * 1024 * 1024;

const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;

/** A picked tar, or a picked directory's files (named by webkitRelativePath, "<dir>/index.json"). */
export type PickedLayout = { tar: File } | { files: File[] };

export interface OpenedLayout {
  tags: Array<{ tag: string; digest: string }>;
  manifests: string[];
  configs: number;
}

// Reads files of the layout, never one larger than MAX_LAYOUT_FILE_BYTES. Paths are looked
// up exactly ("blobs/sha256/<hex>"), so a hostile name in a tar ("../x") is never read.
async function boundedReader(picked: PickedLayout): Promise<LayoutReader> {
  const tooBig = (path: string, size: number) =>
    new LayoutError(`${path} is too big: ${mib(size)}, more than the ${mib(MAX_LAYOUT_FILE_BYTES)} a manifest or config may be`);
  if ('tar' in picked) {
    if (picked.tar.size > MAX_LAYOUT_TAR_BYTES)
      throw new LayoutError(
        `the archive is too big: ${mib(picked.tar.size)}, more than the ${mib(MAX_LAYOUT_TAR_BYTES)} the inspector reads`,
      );
    let files: Map<string, Uint8Array<ArrayBuffer>>;
    try {
      files = readTar(new Uint8Array(await picked.tar.arrayBuffer()));
    } catch (error) {
      throw new LayoutError(`not a tar archive: ${(error as Error).message}`);
    }
    return async (path) => {
      const bytes = files.get(path);
      if (bytes && bytes.byteLength > MAX_LAYOUT_FILE_BYTES) throw tooBig(path, bytes.byteLength);
      return bytes ? bytes.slice() : null;
    };
  }
  const byPath = new Map<string, File>();
  for (const file of picked.files) {
    const relative = file.webkitRelativePath || file.name;
    byPath.set(relative.includes('/') ? relative.slice(relative.indexOf('/') + 1) : relative, file);
  }
  return async (path) => {
    const file = byPath.get(path);
    if (!file) return null;
    if (file.size > MAX_LAYOUT_FILE_BYTES) throw tooBig(path, file.size);
    return new Uint8Array(await file.arrayBuffer());
  };
}

function configOf(body: Uint8Array<ArrayBuffer>): { digest: string; mediaType: string } | null {
  try {
    const json: unknown = JSON.parse(new TextDecoder().decode(body));
    const config = isRecord(json) ? record(json.config) : null;
    if (!config || typeof config.digest !== 'string' || typeof config.mediaType !== 'string') return null;
    return isCanonicalDigest(config.digest) ? { digest: config.digest, mediaType: config.mediaType } : null;
  } catch {
    return null;
  }
}

// The inspector's worker (inspector/worker/registry-guard.ts) empties this origin's records
// when the first manifest request names another registry than the one it noted, which a
// fresh worker has not noted yet. A request through the guard before the import settles it,
// so the guard does not empty what was imported. Offline the request fails; the guard has
// settled before it.
async function claimOwnOrigin(repository: string, digest: string, registryId: string): Promise<void> {
  await fetch(`${location.origin}/v2/${repository}/manifests/${digest}`, {
    method: 'HEAD',
    headers: { [REGISTRY_ID_HEADER]: registryId },
  }).catch(() => undefined);
}

/**
 * Checks the whole layout, then imports its manifests, indexes and tags (importOciLayout())
 * and keeps the configs it holds in `configs`. Throws {@link LayoutError} and stores nothing
 * when the files are no layout, a file is too big, or any manifest or config does not match
 * its digest.
 */
export async function openLayout(
  picked: PickedLayout,
  upstream: string,
  repository: string,
  configs: ConfigStore,
  registryId: string,
): Promise<OpenedLayout> {
  const read = await boundedReader(picked);
  const bundle = await layoutToBundle(read, { upstream, repository });
  if (bundle.manifests.length === 0) throw new LayoutError('the layout holds no manifest or index the inspector can show');
  const checked = await verifyBundle(readBundle(bundle));
  if (checked.rejected.length > 0) {
    const why = checked.rejected.map((r) => `${r.reference}: ${r.message} (${r.code})`).join('; ');
    throw new LayoutError(`the layout is damaged, so nothing of it was stored: ${why}`);
  }
  const found = new Map<string, { bytes: Uint8Array<ArrayBuffer>; mediaType: string }>();
  for (const m of checked.manifests) {
    const config = configOf(m.body);
    if (!config || found.has(config.digest)) continue;
    const bytes = await read(`blobs/${config.digest.replace(':', '/')}`);
    if (!bytes) continue;
    if (!(await matchesDigest(config.digest, bytes)))
      throw new LayoutError(`the layout is damaged, so nothing of it was stored: config ${config.digest} does not match its digest`);
    found.set(config.digest, { bytes, mediaType: config.mediaType });
  }
  if (upstream === location.origin) await claimOwnOrigin(repository, checked.manifests[0]?.digest ?? '', registryId);
  const source: LayoutSource = 'tar' in picked ? picked.tar : picked.files;
  const report = await importOciLayout(source, { upstream, repository });
  if (report.rejected.length > 0) throw new LayoutError(`the layout changed while it was read: ${report.rejected[0]?.message ?? ''}`);
  let stored = 0;
  for (const [digest, { bytes, mediaType }] of found) if (await configs.put(digest, bytes, mediaType).catch(() => false)) stored++;
  return {
    tags: checked.tags.map((t) => ({ tag: t.tag, digest: t.digest })),
    manifests: checked.manifests.map((m) => m.digest),
    configs: stored,
  };
}

/** Makes the link to one imported tag or digest, or null when it cannot be linked. */
export type LayoutLink = (kind: 'tag' | 'manifest', upstream: string, repository: string, reference: string) => HTMLAnchorElement | null;

/**
 * The "Open an OCI layout…" form: a directory or a tar, and the upstream and repository the
 * images go under (prefilled with the inspector's registry). Errors are shown as text.
 * `registryId` is the id the page sends for its own origin's registry (`Regcache-Registry`).
 */
export function openLayoutForm(defaultUpstream: string, registryId: string, configs: ConfigStore, link: LayoutLink): HTMLElement {
  const dir = h('input', { id: 'layout-dir', type: 'file', webkitdirectory: true, 'aria-describedby': 'layout-help' });
  const tar = h('input', { id: 'layout-tar', type: 'file', accept: '.tar,application/x-tar', 'aria-describedby': 'layout-help' });
  const upstream = h('input', { id: 'layout-upstream', type: 'url', value: defaultUpstream, required: true });
  const repository = h('input', {
    id: 'layout-repository',
    type: 'text',
    required: true,
    autocomplete: 'off',
    autocapitalize: 'off',
    spellcheck: 'false',
    placeholder: 'team/app',
  });
  const result = h('div', { class: 'layout-result', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit' }, 'Import');
  const say = (...children: Array<Node | string>) => replaceChildren(result, ...children);
  const fail = (message: string) => say(h('p', { class: 'input-error', role: 'alert', 'data-layout-error': '' }, message));
  // One source at a time: picking one clears the other.
  dir.addEventListener('change', () => {
    if (dir.files?.length) tar.value = '';
  });
  tar.addEventListener('change', () => {
    if (tar.files?.length) dir.value = '';
  });
  const form = h(
    'form',
    { class: 'open-layout', novalidate: true },
    h(
      'p',
      { id: 'layout-help', class: 'help' },
      'A directory skopeo or oras wrote (oci:DIR), or a tar (oci-archive:FILE). Its files stay on this device.',
    ),
    h('label', { for: 'layout-dir' }, 'Layout directory'),
    dir,
    h('label', { for: 'layout-tar' }, 'or layout tar'),
    tar,
    h('label', { for: 'layout-upstream' }, 'Registry'),
    upstream,
    h('label', { for: 'layout-repository' }, 'Repository'),
    repository,
    button,
    result,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const picked: PickedLayout | null = tar.files?.[0]
      ? { tar: tar.files[0] }
      : dir.files?.length
        ? { files: Array.from(dir.files) }
        : null;
    if (!picked) return fail('Pick a layout directory or a tar first.');
    const origin = upstreamFromQuery(upstream.value.trim());
    if ('problem' in origin) return fail(origin.problem);
    const repo = repository.value.trim();
    if (!isValidName(repo))
      return fail(`“${repo.slice(0, 200)}” is not a repository name: lower-case parts such as team/app, separated by /.`);
    button.disabled = true;
    say(h('p', {}, 'Reading the layout…'));
    openLayout(picked, origin.origin, repo, configs, registryId)
      .then((opened) => {
        const items = [
          ...opened.tags.map((t) => h('li', {}, link('tag', origin.origin, repo, t.tag) ?? t.tag, ` → ${t.digest}`)),
          ...opened.manifests.map((d) => h('li', {}, link('manifest', origin.origin, repo, d) ?? d)),
        ];
        say(
          h(
            'p',
            { 'data-layout-imported': '' },
            `Imported ${opened.manifests.length} manifests, ${opened.tags.length} tags and ${opened.configs} configs into ${repo}. They open offline:`,
          ),
          h('ul', { class: 'layout-imported' }, ...items),
        );
      })
      .catch((error: unknown) =>
        fail(
          error instanceof LayoutError
            ? `This layout was not imported: ${error.message}.`
            : `The layout could not be imported: ${error instanceof Error ? error.message : String(error)}`,
        ),
      )
      .finally(() => {
        button.disabled = false;
      });
  });
  return h('details', { class: 'open-layout-box' }, h('summary', {}, 'Open an OCI layout…'), form);
}
