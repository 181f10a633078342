// regcache/playwright: a Playwright Test fixture that puts regcache's ready-made worker in
// front of the app in every test, fills its store from a bundle file, merges what the tests
// fetched back into it, and can make a run hermetic (no upstream manifest request at all).
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  BrowserContext,
  Fixtures,
  Page,
  PlaywrightTestArgs,
  PlaywrightTestOptions,
  PlaywrightWorkerArgs,
  PlaywrightWorkerOptions,
  Route,
  TestInfo,
} from '@playwright/test';
import { type Bundle, readBundle } from '../core/bundle/format.js';
import { DEFAULTS, type ManifestCacheOptions, optionsToQuery, resolveOptions } from '../core/config.js';
import type { RegcacheStats } from '../core/protocol.js';
import { mergeIntoBundleFile, readBundleFile } from './bundle-file.js';

export type { Bundle, BundleManifest, BundleTag } from '../core/bundle/format.js';
export type { RegcacheStats } from '../core/protocol.js';

/** The fixture's options: the ready-made worker's, plus where it lives and the bundle. */
export interface RegcachePlaywrightOptions extends ManifestCacheOptions {
  /**
   * The app's origin, where the worker is registered.
   * @defaultValue the origin of the project's `baseURL`
   */
  origin?: string;
  /**
   * The path the worker is served at on `origin`. The fixture answers it with the packaged
   * `regcache-sw.js` (the app serves nothing there), and registers it with scope `/`.
   * @defaultValue `'/regcache-sw.js'`
   */
  scriptPath?: string;
  /**
   * A bundle file (docs/bundle-format.md), resolved against the working directory. Before
   * each test the store is filled from it; with `update`, what the tests fetched is merged
   * back when each Playwright worker ends. A missing file is an empty bundle.
   */
  bundle?: string;
  /**
   * Whether the bundle file is written, like `routeFromHAR`'s `update`. The write takes a
   * lock file next to it and renames a finished file over it, so parallel workers merge
   * into one file safely. Private records are never written.
   * @defaultValue false
   */
  update?: boolean;
  /**
   * What happens to a manifest request the store cannot answer. `'fetch'` asks upstream.
   * `'abort'` makes the run hermetic: no manifest request (`GET` or `HEAD`) reaches
   * upstream; a stored tag is served as upstream were unreachable, and a request that
   * needs upstream fails the test with a message naming the reference.
   * @defaultValue `'fetch'`
   */
  notFound?: 'fetch' | 'abort';
}

/** One manifest request the worker sent upstream (or that `notFound: 'abort'` stopped). */
export interface UpstreamRequest {
  method: string;
  url: string;
  /** `'sent'`, or `'aborted'` under `notFound: 'abort'`. */
  outcome: 'sent' | 'aborted';
}

/**
 * What each test's `regcache` attachment holds (JSON): the worker's counters for this test
 * (each test has a context, and so a store, of its own) and the upstream manifest requests.
 */
export interface RegcacheReport {
  /** Manifest `GET`s regcache sent upstream. */
  upstreamGets: number;
  /** Manifest `HEAD`s regcache sent upstream (tag re-checks). */
  upstreamHeads: number;
  /** Requests answered from the store. */
  hits: number;
  /** Requests answered from upstream. */
  misses: number;
  /** Requests answered from the store because upstream could not be asked. */
  stale: number;
  /** Each upstream manifest request, in order. */
  requests: UpstreamRequest[];
  /** Under `notFound: 'abort'`: the references the store could not answer. */
  notFound: string[];
}

/** What a test gets as its `regcache` fixture. */
export interface RegcacheHandle {
  /** The worker's script URL, with its query string. */
  readonly scriptUrl: string;
  /** The upstream manifest requests so far. */
  readonly requests: readonly UpstreamRequest[];
}

interface PageApi {
  register(scriptUrl: string): Promise<void>;
  importBundle(text: string, ttl: number): Promise<{ manifests: number; tags: number; rejected: Array<{ code: string; message: string }> }>;
  exportBundle(): Promise<string>;
  stats(): Promise<RegcacheStats>;
}
type PageWindow = { __regcachePlaywright: PageApi };

// dist/, where this module is: the packaged worker and page script sit next to it.
const DIST = dirname(fileURLToPath(import.meta.url));
const WORKER_FILE = resolve(DIST, 'regcache-sw.js');
const PAGE_FILE = resolve(DIST, 'playwright-page.js');
// Paths on the app's origin that the fixture answers itself; the app never sees them.
const SETUP_PATH = '/__regcache__/setup.html';
const SETUP_SCRIPT = '/__regcache__/page.js';
const MANIFEST_PATH = /^\/v2\/.+\/manifests\/[^/]+$/;

/** The fixtures' types, for `test.extend<RegcacheTestFixtures, RegcacheWorkerFixtures>()`. */
export interface RegcacheTestFixtures {
  /** Auto: every test of a suite extended with these fixtures runs behind regcache. */
  regcache: RegcacheHandle;
}

/** Worker-scoped fixtures: the options, and the bundle each Playwright worker shares. */
export interface RegcacheWorkerFixtures {
  /** The options, set with `test.use({ regcacheOptions: { … } })`; worker-scoped. */
  regcacheOptions: RegcachePlaywrightOptions;
  /** @internal */
  _regcacheBundle: { text: string | null; fetched: Bundle[] };
}

function setupPage(): string {
  return `<!doctype html><meta charset="utf-8"><title>regcache</title><script src="${SETUP_SCRIPT}"></script>`;
}

function referenceOf(url: URL): string {
  const [, name, reference] = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname) ?? [];
  return `${url.host}/${name}${reference?.includes(':') ? '@' : ':'}${reference}`;
}

async function onSetupPage<T>(context: BrowserContext, origin: string, scriptPath: string, run: (page: Page) => Promise<T>): Promise<T> {
  const page = await context.newPage();
  try {
    await routeOrigin(page, origin, scriptPath);
    await page.goto(`${origin}${SETUP_PATH}`);
    await page.waitForFunction(() => '__regcachePlaywright' in globalThis);
    return await run(page);
  } finally {
    await page.close();
  }
}

async function fulfilFile(route: Route, path: string, extra: Record<string, string> = {}): Promise<void> {
  await route.fulfill({
    status: 200,
    contentType: 'text/javascript',
    body: await readFile(path),
    headers: { 'Cache-Control': 'no-store', ...extra },
  });
}

// Routes of the setup page only: a context's routes would reach the test's pages, and
// Chromium sends the requests of a page with routes as no-cache.
async function routeOrigin(context: Page, origin: string, scriptPath: string): Promise<void> {
  await context.route(`${origin}${scriptPath}*`, (route) => fulfilFile(route, WORKER_FILE, { 'Service-Worker-Allowed': '/' }));
  await context.route(`${origin}${SETUP_SCRIPT}`, (route) => fulfilFile(route, PAGE_FILE));
  await context.route(`${origin}${SETUP_PATH}`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: setupPage() }));
}

async function attachReport(testInfo: TestInfo, report: RegcacheReport): Promise<void> {
  await testInfo.attach('regcache', { body: JSON.stringify(report, null, 2), contentType: 'application/json' });
}

/**
 * The fixtures, for `test.extend(regcacheFixtures)`:
 *
 * ```ts
 * import { test as base } from '@playwright/test';
 * import { regcacheFixtures } from 'regcache/playwright';
 * export const test = base.extend(regcacheFixtures);
 * test.use({ regcacheOptions: { upstreams: ['https://registry.example'], bundle: 'regcache.bundle.json', update: true } });
 * ```
 *
 * Each test's context gets the ready-made worker on the app's origin before the test
 * starts, and its store filled from the bundle. Chromium only: Playwright sees a service
 * worker's own requests in Chromium alone.
 */
export const regcacheFixtures: Fixtures<
  RegcacheTestFixtures,
  RegcacheWorkerFixtures,
  PlaywrightTestArgs & PlaywrightTestOptions,
  PlaywrightWorkerArgs & PlaywrightWorkerOptions
> = {
  regcacheOptions: [{}, { option: true, scope: 'worker' }],

  _regcacheBundle: [
    async ({ regcacheOptions }, use) => {
      const path = regcacheOptions.bundle === undefined ? null : resolve(regcacheOptions.bundle);
      const text = path ? await readBundleFile(path) : null;
      // A damaged or future bundle fails the run before any test, with BundleError's message.
      if (text !== null) readBundle(text);
      const state = { text, fetched: [] as Bundle[] };
      await use(state);
      if (path && regcacheOptions.update && state.fetched.length > 0) await mergeIntoBundleFile(path, state.fetched);
    },
    { scope: 'worker', box: true },
  ],

  regcache: [
    async ({ context, baseURL, regcacheOptions, _regcacheBundle }, use, testInfo) => {
      const {
        origin: originOption,
        scriptPath = '/regcache-sw.js',
        bundle: _b,
        update = false,
        notFound = 'fetch',
        ...workerOptions
      } = regcacheOptions;
      const base = originOption ?? baseURL;
      if (!base)
        throw new Error("regcache: set regcacheOptions.origin or the project's baseURL: the worker is registered on the app's origin");
      const origin = new URL(base).origin;
      // Checked here, with the worker's own validator, so a bad option names itself.
      const config = resolveOptions(workerOptions, origin);
      const query = optionsToQuery(workerOptions);
      const scriptUrl = `${origin}${scriptPath}${query ? `?${query}` : ''}`;
      const covered = (url: URL) => MANIFEST_PATH.test(url.pathname) && (config.upstreams === '*' || config.upstreams.includes(url.origin));

      const requests: UpstreamRequest[] = [];
      const missing: string[] = [];
      // The worker's own requests (Playwright sees them in Chromium). They are routed only to
      // be stopped: Chromium sends a page's requests as no-cache while routes are set (so no
      // tag would be fresh), and fails a worker's request let through with route.continue().
      if (notFound === 'abort') {
        await context.route(covered, async (route) => {
          const request = route.request();
          const url = new URL(request.url());
          requests.push({ method: request.method(), url: url.href, outcome: 'aborted' });
          if (request.method() === 'GET') missing.push(referenceOf(url));
          await route.abort('blockedbyclient');
        });
      } else {
        context.on('request', (request) => {
          if (request.serviceWorker() && covered(new URL(request.url()))) {
            requests.push({ method: request.method(), url: request.url(), outcome: 'sent' });
          }
        });
      }

      await onSetupPage(context, origin, scriptPath, async (page) => {
        if (_regcacheBundle.text !== null) {
          const report = await page.evaluate(
            ([text, ttl]) => (globalThis as unknown as PageWindow).__regcachePlaywright.importBundle(text, ttl),
            [_regcacheBundle.text, config.ttl ?? DEFAULTS.ttl] as const,
          );
          if (report.rejected.length > 0) {
            await testInfo.attach('regcache-bundle-rejected', {
              body: JSON.stringify(report.rejected, null, 2),
              contentType: 'application/json',
            });
          }
        }
        await page.evaluate((url) => (globalThis as unknown as PageWindow).__regcachePlaywright.register(url), scriptUrl);
      });

      await use({ scriptUrl, requests });

      // The test's own pages may be gone: a page of the fixture's reads what the test left.
      const final = await onSetupPage(context, origin, scriptPath, async (page) => {
        const counters = await page.evaluate(() => (globalThis as unknown as PageWindow).__regcachePlaywright.stats());
        const exported = update
          ? (JSON.parse(await page.evaluate(() => (globalThis as unknown as PageWindow).__regcachePlaywright.exportBundle())) as Bundle)
          : null;
        return { counters, exported };
      });
      if (final.exported) _regcacheBundle.fetched.push(final.exported);
      const c = final.counters;
      await attachReport(testInfo, {
        upstreamGets: c?.upstreamGets ?? 0,
        upstreamHeads: c?.upstreamHeads ?? 0,
        hits: c?.hits ?? 0,
        misses: c?.misses ?? 0,
        stale: c?.stale ?? 0,
        requests,
        notFound: missing,
      });
      if (missing.length > 0) {
        throw new Error(
          `regcache: the bundle has no answer for ${missing.join(', ')} (notFound: 'abort' keeps upstream out of this run; record it with update: true)`,
        );
      }
    },
    { auto: true },
  ],
};
