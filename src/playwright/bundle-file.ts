// The bundle file a suite shares between its Playwright workers (processes). Writers take a
// lock file (created exclusively), merge what they have into what the file holds now, and
// replace the file by renaming a temporary file over it: readers see the old bundle or the
// new one, never half of one, and no writer's records are lost.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type Bundle, readBundle } from '../core/bundle/format.js';
import { mergeBundles } from '../core/bundle/merge.js';

// A lock older than this was left by a process that died holding it.
const STALE_LOCK_MS = 60_000;
const LOCK_WAIT_MS = 120_000;

/** The bundle file's text, or null when there is none yet. */
export async function readBundleFile(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function lock(path: string): Promise<() => Promise<void>> {
  const lockPath = `${path}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let wait = 5; ; wait = Math.min(wait * 2, 50)) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = await stat(lockPath).catch(() => null);
    if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) await rm(lockPath, { force: true });
    else if (Date.now() > deadline)
      throw new Error(`regcache: could not lock ${path} within ${LOCK_WAIT_MS / 1000} s (remove ${lockPath} if no run is writing it)`);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

const empty = (): Bundle => ({ format: BUNDLE_FORMAT, version: BUNDLE_VERSION, createdAt: 0, manifests: [], tags: [] });

/**
 * Merges `bundles` into the file at `path` under its lock, atomically. A file that is not a
 * bundle of this version is left alone and reported, rather than overwritten.
 */
export async function mergeIntoBundleFile(path: string, bundles: readonly Bundle[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const unlock = await lock(path);
  try {
    const text = await readBundleFile(path);
    let merged = empty();
    if (text !== null) {
      readBundle(text);
      merged = JSON.parse(text) as Bundle;
    }
    for (const bundle of bundles) merged = mergeBundles(merged, bundle);
    const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, `${JSON.stringify(merged, null, 1)}\n`);
    await rename(temporary, path);
  } finally {
    await unlock();
  }
}
