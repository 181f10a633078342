// regcache as a package: `npm pack` of this repo, installed with npm into two Vite apps
// in temporary folders, built, and served from the page origin.
// A (test/consumers/a-workbox): its own Workbox worker (precaching, a route of its own)
//   adds regcache through `regcache/sw`.
// B (test/consumers/b-vite-plugin): `regcache/vite` emits the ready-made worker.
// `npm run build` has run (pretest); the npm registry must be reachable (one install per consumer).
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { Script } from 'node:vm';
import type { BrowserContext, Page } from '@playwright/test';
import { ACCEPT_OCI, pushImage } from '../../servers/images.js';
import { freePort } from '../../servers/registry.js';
import { DIST_DIR, direct, type Env, expect, fetchIn, ok, ROOT, registerIn, test, uniqueRepo } from '../support/fixtures.js';

const CONSUMERS = join(ROOT, 'test', 'consumers');
const SETUP_TIMEOUT = 300_000;

// What a consumer's page exposes (see the consumers' src/main.ts).
interface ConsumerWindow {
  consumer: {
    registration: Promise<ServiceWorkerRegistration>;
    cache: { stats(): Promise<{ hits: number; requests: number }> };
  };
}

// ---- running npm and the consumers' tools ----

// npm passes its own settings to scripts as npm_* variables. Inherited by an npm run in
// another folder, npm_config_local_prefix would make it install into this repo; keep
// only the settings that say where packages come from.
const KEEP_NPM = new Set(['cache', 'registry', 'userconfig', 'globalconfig', 'cafile', 'proxy', 'https_proxy', 'noproxy', 'strict_ssl']);
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const npmConfig = /^npm_config_(.+)$/i.exec(key);
    if (/^npm_/i.test(key) && !(npmConfig && KEEP_NPM.has(npmConfig[1]!.toLowerCase()))) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

function run(cmd: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env: cleanEnv(extraEnv), maxBuffer: 64 * 1024 * 1024, timeout: SETUP_TIMEOUT }, (error, stdout, stderr) => {
      if (error) reject(new Error(`\`${cmd} ${args.join(' ')}\` in ${cwd} failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

const npm = (args: string[], cwd: string, env?: Record<string, string>) => run('npm', args, cwd, env);
const viteBin = (dir: string) => join(dir, 'node_modules', 'vite', 'bin', 'vite.js');

// ---- one tarball and one temporary folder per test worker ----

interface Packed {
  tmp: string;
  tarball: string;
  files: string[];
  // Served on the page origin: /a, /a-bad and /b point into the consumers' build output.
  www: string;
}

let packed: Promise<Packed> | undefined;

function pack(): Promise<Packed> {
  packed ??= (async () => {
    if (!existsSync(join(DIST_DIR, 'regcache-sw.js'))) throw new Error('dist/ is missing: run `npm run build` first');
    const tmp = await mkdtemp(join(tmpdir(), 'regcache-consumers-'));
    const out = await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], ROOT);
    const [info] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
    if (!info) throw new Error(`npm pack printed no package: ${out}`);
    const www = join(tmp, 'www');
    await mkdir(www);
    return { tmp, tarball: join(tmp, info.filename), files: info.files.map((f) => f.path), www };
  })();
  return packed;
}

// Copies a consumer next to the tarball and installs it: its devDependencies, plus
// regcache from the tarball (npm adds it as "file:../regcache-<version>.tgz").
async function install(name: string): Promise<string> {
  const { tmp, tarball } = await pack();
  const dir = join(tmp, name);
  await cp(join(CONSUMERS, name), dir, { recursive: true });
  await npm(['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir);
  return dir;
}

async function serve(env: Env, urlPath: string, dir: string): Promise<void> {
  const { www } = await pack();
  await symlink(dir, join(www, urlPath));
  if (!env.pages.roots.includes(www)) env.pages.addRoot(www);
}

test.afterAll(async ({ env }) => {
  if (!packed) return;
  const { tmp, www } = await packed;
  env.pages.removeRoot(www);
  await rm(tmp, { recursive: true, force: true });
});

// ---- helpers for the browser side ----

// Opens the app and waits until its own page code has registered its worker and the worker controls the page.
async function openApp(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.evaluate(async () => {
    await (window as unknown as ConsumerWindow).consumer.registration;
    await navigator.serviceWorker.ready;
    if (navigator.serviceWorker.controller) return;
    // Both workers claim their clients on activate.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the page was not claimed by its worker')), 10_000);
      navigator.serviceWorker.addEventListener(
        'controllerchange',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  });
  return page;
}

const statsIn = (page: Page) => page.evaluate(() => (window as unknown as ConsumerWindow).consumer.cache.stats());

function ttlOf(cacheStatus: string | undefined): number {
  const m = /(?:^|;\s*)ttl=(\d+)/.exec(cacheStatus ?? '');
  if (!m) throw new Error(`no ttl in Cache-Status ${cacheStatus}`);
  return Number(m[1]);
}

// The second request for a digest is a hit that sends nothing upstream; a tag is re-checked with one HEAD.
async function expectManifestsCached(env: Env, page: Page, maxTtl: number): Promise<void> {
  const repo = uniqueRepo('consumer');
  const img = await pushImage(env.registry.url, repo, 'v1', 'oci');
  const accept = { headers: { Accept: ACCEPT_OCI } };
  const byDigest = `${env.proxy.url}/v2/${repo}/manifests/${img.digest}`;
  const byTag = `${env.proxy.url}/v2/${repo}/manifests/v1`;

  const first = ok(await fetchIn(page, byDigest, accept));
  expect(first.status).toBe(200);
  expect(first.headers['cache-status']).toMatch(/^regcache; fwd=miss; stored; ttl=\d+/);
  // The consumer's ttl, not the 7-day default.
  expect(ttlOf(first.headers['cache-status'])).toBeLessThanOrEqual(maxTtl);
  expect(env.proxy.count({ method: 'GET', path: `/v2/${repo}/manifests/` })).toBe(1);

  env.proxy.reset();
  const second = ok(await fetchIn(page, byDigest, accept));
  expect(second.status).toBe(200);
  expect(second.headers['cache-status']).toMatch(/^regcache; hit; ttl=\d+$/);
  expect(Buffer.from(second.body, 'base64').equals(img.body)).toBe(true);
  expect(env.proxy.count({ path: `/v2/${repo}/` })).toBe(0);

  ok(await fetchIn(page, byTag, accept));
  env.proxy.reset();
  const again = ok(await fetchIn(page, byTag, accept));
  expect(again.headers['cache-status']).toMatch(/^regcache; hit;.*detail=revalidated/);
  expect(env.proxy.count({ method: 'HEAD', path: `/v2/${repo}/manifests/v1` })).toBe(1);
  expect(env.proxy.count({ method: 'GET', path: `/v2/${repo}/` })).toBe(0);

  // The page client from the tarball talks to the worker's message handler.
  expect((await statsIn(page)).hits).toBeGreaterThanOrEqual(2);
}

// ---- the tarball ----

test('the tarball holds exactly what a consumer needs', async () => {
  test.setTimeout(SETUP_TIMEOUT);
  const { files } = await pack();
  const types = files.filter((f) => f.startsWith('dist/types/'));
  const rest = files.filter((f) => !f.startsWith('dist/types/')).sort();
  const expected = [
    'CHANGELOG.md',
    'README.md',
    'dist/client.js',
    'dist/client-bundle.js',
    'dist/shared.js',
    'dist/storage.js',
    'dist/regcache-sw.js',
    'dist/sw.js',
    'dist/vite.js',
    'dist/playwright.js',
    'dist/playwright-page.js',
    'dist/node-shared.js',
    'docs/api.md',
    'package.json',
    // npm adds a licence file whenever there is one.
    ...(existsSync(join(ROOT, 'LICENSE')) ? ['LICENSE'] : []),
  ].sort();
  expect(rest).toEqual(expected);
  expect(types.filter((f) => !f.endsWith('.d.ts'))).toEqual([]);
  // Only the public surface's declarations: the entry points and the core types they use,
  // no internal module (scripts/prune-types.mjs).
  expect(types.sort()).toEqual([
    'dist/types/client/bundle.d.ts',
    'dist/types/client/index.d.ts',
    'dist/types/core/bundle/format.d.ts',
    'dist/types/core/bundle/oci-layout.d.ts',
    'dist/types/core/config.d.ts',
    'dist/types/core/protocol.d.ts',
    'dist/types/playwright/index.d.ts',
    'dist/types/sw/index.d.ts',
    'dist/types/vite/index.d.ts',
  ]);
  expect(files.filter((f) => /(^|\/)(test|tests|fixtures|samples|bench|inspector[^/]*|assets)(\/|$)|\.map$|\.tgz$/.test(f))).toEqual([]);

  // Every entry point and every file they import, code or types, is in it.
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, string | Record<string, string>>;
  };
  for (const target of Object.values(pkg.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t)))) {
    expect(files, target).toContain(target.replace(/^\.\//, ''));
  }
  for (const file of files.filter((f) => /\.(js|d\.ts)$/.test(f))) {
    const source = await readFile(join(ROOT, file), 'utf8');
    for (const [, spec] of source.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
      let target = posix.normalize(posix.join(posix.dirname(file), spec!));
      if (file.endsWith('.d.ts')) target = target.replace(/\.js$/, '.d.ts');
      expect(files, `${file} imports ${spec}`).toContain(target);
    }
  }
});

// ---- consumer A: its own Workbox worker, with regcache/sw ----

test.describe
  .serial('consumer A: a Workbox worker of its own with regcache/sw', () => {
    let dir = '';

    test.beforeAll(async ({ env }) => {
      test.setTimeout(SETUP_TIMEOUT);
      dir = await install('a-workbox');
      // Its build script type-checks the page and the worker against the packed types first.
      await npm(['run', 'build'], dir, { REGCACHE_UPSTREAM: env.proxy.url });
      // The same worker with a ttl it must refuse.
      await run(process.execPath, [viteBin(dir), 'build', '--mode', 'sw', '--outDir', 'dist-bad', '--logLevel', 'warn'], dir, {
        REGCACHE_UPSTREAM: env.proxy.url,
        REGCACHE_TTL: '-5',
      });
      await serve(env, 'a', join(dir, 'dist'));
      await serve(env, 'a-bad', join(dir, 'dist-bad'));
    });

    test('the app and regcache share one workbox-routing', async () => {
      // regcache/sw adds its routes to workbox-routing's default router; a second copy
      // would mean a second router and a second fetch listener.
      expect(existsSync(join(dir, 'node_modules', 'workbox-routing'))).toBe(true);
      expect(existsSync(join(dir, 'node_modules', 'regcache', 'node_modules', 'workbox-routing'))).toBe(false);
      const worker = await readFile(join(dir, 'dist', 'sw.js'), 'utf8');
      expect(worker.match(/workbox:routing:/g)).toHaveLength(1);
      expect(worker).not.toMatch(/^\s*import\s/m);
    });

    test('regcache brings no second idb', async () => {
      // workbox-expiration keeps its timestamps with idb; regcache uses IndexedDB through
      // a wrapper of its own, so the worker bundles workbox-expiration's copy only.
      expect(existsSync(join(dir, 'node_modules', 'idb'))).toBe(true);
      for (const user of ['regcache', 'workbox-expiration']) {
        expect(existsSync(join(dir, 'node_modules', user, 'node_modules', 'idb')), `${user} has an idb of its own`).toBe(false);
      }
      const worker = await readFile(join(dir, 'dist', 'sw.js'), 'utf8');
      // A name idb's cursor wrapper lists, which no other module here mentions.
      expect(worker.match(/continuePrimaryKey/g)).toHaveLength(1);
    });

    test('manifests are cached: a hit on the second request, nothing upstream by digest', async ({ env, context }) => {
      const page = await openApp(context, `${env.pageOrigin}/a/`);
      expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${env.pageOrigin}/a/sw.js`);
      await expectManifestsCached(env, page, 3600);
    });

    test("the app's precached files and its own route still work", async ({ env, context }) => {
      const page = await openApp(context, `${env.pageOrigin}/a/`);
      expect(await page.textContent('#status')).toBe('app loaded');

      const own = ok(await fetchIn(page, `${env.pageOrigin}/a/api/whoami`));
      expect(own.status).toBe(200);
      expect(JSON.parse(own.text)).toEqual({ worker: 'consumer-a' });
      expect(own.headers['cache-status']).toBeUndefined();

      const precached = await page.evaluate(async () => {
        const urls: string[] = [];
        for (const name of await caches.keys()) {
          if (!name.startsWith('workbox-precache')) continue;
          for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
        }
        return urls.sort();
      });
      expect(precached).toEqual(['/a/index.html', '/a/precached.txt']);

      // With the app's files gone from the server, the worker still serves them from the precache.
      const { www } = await pack();
      env.pages.removeRoot(www);
      try {
        expect(ok(await direct(`${env.pageOrigin}/a/precached.txt`)).status).toBe(404);
        const txt = ok(await fetchIn(page, `${env.pageOrigin}/a/precached.txt`));
        expect(txt.status).toBe(200);
        expect(txt.text).toBe('precached by consumer A\n');
        await page.goto(`${env.pageOrigin}/a/`);
        expect(await page.title()).toBe('regcache consumer A');
      } finally {
        env.pages.addRoot(www);
      }
    });

    test('a bad option fails the registration, and the worker names the option', async ({ regcache }) => {
      const page = await regcache.blank();
      const result = await registerIn(page, '/a-bad/sw.js');
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(
        result.workerErrors.filter((m) => m.includes('regcache: invalid option "ttl"')),
        JSON.stringify(result.workerErrors),
      ).toHaveLength(1);
      expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
    });
  });

// ---- consumer B: regcache/vite ----

test.describe
  .serial('consumer B: the ready-made worker from regcache/vite', () => {
    let dir = '';
    let query = '';

    test.beforeAll(async ({ env }) => {
      test.setTimeout(SETUP_TIMEOUT);
      dir = await install('b-vite-plugin');
      await npm(['run', 'build'], dir, { REGCACHE_UPSTREAM: env.proxy.url });
      await serve(env, 'b', join(dir, 'dist'));
      query = new URLSearchParams([
        ['upstream', env.proxy.url],
        ['ttl', '3600'],
      ]).toString();
    });

    test('the build has the packed worker at the chosen path, with the options baked in', async () => {
      const built = await readFile(join(dir, 'dist', 'sw', 'regcache.js'), 'utf8');
      const packedWorker = await readFile(join(dir, 'node_modules', 'regcache', 'dist', 'regcache-sw.js'), 'utf8');
      expect(packedWorker).toBe(await readFile(join(DIST_DIR, 'regcache-sw.js'), 'utf8'));
      expect(built).toBe(`self.REGCACHE_QUERY=${JSON.stringify(query)};\n${packedWorker}`);
    });

    test('manifests are cached, and the app still loads its own files', async ({ env, context }) => {
      const page = await openApp(context, `${env.pageOrigin}/b/`);
      expect(await page.textContent('#status')).toBe('app loaded');
      expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${env.pageOrigin}/b/sw/regcache.js`);
      await expectManifestsCached(env, page, 3600);

      // The app's own files pass through the worker untouched.
      const own = ok(await fetchIn(page, `${env.pageOrigin}/b/hello.txt`));
      expect(own.status).toBe(200);
      expect(own.text).toBe('a file of consumer B\n');
      expect(own.headers['cache-status']).toBeUndefined();
    });

    test('vite dev serves the worker with the options baked in', async ({ env }) => {
      const port = await freePort();
      const child = spawn(process.execPath, [viteBin(dir), '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
        cwd: dir,
        env: cleanEnv({ REGCACHE_UPSTREAM: env.proxy.url }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        const url = `http://127.0.0.1:${port}/sw/regcache.js`;
        let res: Response | undefined;
        for (const deadline = Date.now() + 30_000; !res && Date.now() < deadline; ) {
          if (child.exitCode !== null) throw new Error(`vite dev exited with ${child.exitCode}:\n${output}`);
          res = await fetch(url).catch(() => undefined);
          if (!res) await new Promise((r) => setTimeout(r, 200));
        }
        if (!res) throw new Error(`vite dev did not answer ${url}:\n${output}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/javascript\b/);
        const body = await res.text();
        expect(body.startsWith(`self.REGCACHE_QUERY=${JSON.stringify(query)};\n`)).toBe(true);
        expect(body).toContain('regcache: invalid');
        // It compiles as a classic script (not run here).
        expect(() => new Script(body, { filename: url })).not.toThrow();
      } finally {
        child.kill('SIGTERM');
        await exited;
      }
    });
  });
