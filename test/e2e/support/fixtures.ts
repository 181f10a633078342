import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, test as base, type Page } from '@playwright/test';
import type { BrowserContext as FirefoxContext } from 'puppeteer-core';
import { startProxy, type UpstreamProxy } from '../../servers/proxy.js';
import { type Registry, startRegistry } from '../../servers/registry.js';
import { type StaticServer, startStatic } from '../../servers/static.js';
import { FirefoxDriver, firefoxTab, openTab } from './firefox.js';
import { openWindow, WebKitDriver, type WebKitSession, webkitPage } from './webkit.js';

export { expect } from '@playwright/test';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DIST_DIR = join(ROOT, 'dist');
export const PAGE_DIR = join(ROOT, 'test', 'e2e', 'support', 'page');
export const WORKER_SCRIPT = '/regcache-sw.js';

/**
 * The browser a test runs in: the Playwright project sets it. Chromium is Playwright's own;
 * Firefox ESR is driven by puppeteer-core (test/e2e/support/firefox.ts) and WebKitGTK by
 * WebKitWebDriver (test/e2e/support/webkit.ts); their pages offer what the specs use of
 * Playwright's Page: evaluate, reload, goto, url, close.
 */
export type Engine = 'chromium' | 'firefox' | 'webkit';

/** The options a Playwright project can set for these fixtures. */
export interface RegcacheOptions {
  engine: Engine;
}

export interface Env {
  /** Origin of the static server; the page and the worker live here. */
  pageOrigin: string;
  registry: Registry;
  /** In front of the registry; the worker's default upstream. */
  proxy: UpstreamProxy;
  /** The static server behind pageOrigin; addRoot() serves extra files on the page's origin. */
  pages: StaticServer;
}

export type WorkerParams = Record<string, string | string[]>;

/** What a page may pass to fetch: everything must survive page.evaluate's serialisation. */
export interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  cache?: RequestCache;
  mode?: RequestMode;
  credentials?: RequestCredentials;
  redirect?: RequestRedirect;
  /** Aborts the fetch after this long; the result is then { error }. */
  timeoutMs?: number;
}

export interface FetchOk {
  status: number;
  statusText: string;
  /** Lower-case names; in the page, only the headers CORS lets it read. */
  headers: Record<string, string>;
  /** Base64 of the body bytes. */
  body: string;
  /** The body decoded as UTF-8, for error messages and JSON. */
  text: string;
}

export interface FetchError {
  error: string;
}

export type FetchResult = FetchOk | FetchError;

export type RegisterResult =
  | { ok: true }
  | {
      ok: false;
      /** Name and message of register()'s rejection, or a description of how install failed. */
      name: string;
      message: string;
      /**
       * Errors Chromium reported for the worker over CDP, e.g. 'Uncaught Error: <thrown message>'.
       * Always empty in Firefox, which reports a first install's evaluation error to no console,
       * and in WebKit, whose console WebDriver classic does not expose.
       */
      workerErrors: string[];
    };

export interface Regcache {
  /**
   * Opens index.html in a new page of this test's context, registers the worker with
   * these parameters (upstream defaults to the proxy) and returns once the page is
   * controlled. `script` swaps in another worker script on the page origin.
   */
  open(params?: WorkerParams, opts?: { script?: string }): Promise<Page>;
  /** Opens index.html without registering anything. */
  blank(): Promise<Page>;
  /**
   * Opens index.html in a browser context of its own (closed after the test), where no worker
   * is registered: what the page would get without regcache.
   */
  bare(): Promise<Page>;
  /** The worker script URL (path and query) open() registers for these parameters. */
  scriptUrl(params?: WorkerParams, script?: string): string;
  /** Stops every service worker of the context; the next fetch starts a fresh one. */
  stopWorker(page?: Page): Promise<void>;
  fetchIn(page: Page, url: string, init?: FetchInit): Promise<FetchResult>;
}

export const test = base.extend<
  { regcache: Regcache; cleanProxy: void },
  { env: Env; _firefox: FirefoxDriver | null; _webkit: WebKitDriver | null } & RegcacheOptions
>({
  engine: ['chromium', { option: true, scope: 'worker' }],

  // One Firefox per Playwright worker, launched only in the firefox project; a test gets a
  // context (a user context: its own workers and storage) of its own.
  _firefox: [
    async ({ engine }, use) => {
      if (engine !== 'firefox') return use(null);
      const driver = await FirefoxDriver.launch();
      try {
        await use(driver);
      } finally {
        await driver.close();
      }
    },
    { scope: 'worker', timeout: 120_000, box: true },
  ],

  // One Xvfb and WebKitWebDriver per Playwright worker, only in the webkit project; a test
  // gets a session (a MiniBrowser with empty storage) of its own.
  _webkit: [
    async ({ engine }, use) => {
      if (engine !== 'webkit') return use(null);
      const driver = await WebKitDriver.launch();
      try {
        await use(driver);
      } finally {
        await driver.close();
      }
    },
    { scope: 'worker', timeout: 120_000, box: true },
  ],

  env: [
    async ({}, use) => {
      const stops: Array<() => Promise<void>> = [];
      try {
        const pages = await startStatic([DIST_DIR, PAGE_DIR]);
        stops.push(() => pages.stop());
        const registry = await startRegistry({ corsOrigins: [pages.url] });
        stops.push(() => registry.stop());
        const proxy = await startProxy(registry.url, { corsOrigin: pages.url });
        stops.push(() => proxy.stop());
        await use({ pageOrigin: pages.url, registry, proxy, pages });
      } finally {
        for (const stop of stops.reverse()) await stop();
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],

  // The env outlives a test, so each test starts with an online proxy, no faults and an empty log.
  cleanProxy: [
    async ({ env }, use) => {
      env.proxy.offline(false);
      env.proxy.clearFaults();
      env.proxy.reset();
      await use();
    },
    { auto: true, box: true },
  ],

  regcache: async ({ browser, context, env, _firefox, _webkit }, use) => {
    const opened: Page[] = [];
    const scriptUrl = (params: WorkerParams = {}, script = WORKER_SCRIPT) => workerScriptUrl(params, env.proxy.url, script);
    const index = `${env.pageOrigin}/index.html`;
    const closing: Array<() => Promise<void>> = [];

    let firefoxContext: Promise<FirefoxContext> | undefined;
    const newFirefoxContext = (driver: FirefoxDriver) => {
      const made = driver.newContext();
      closing.push(async () => driver.forget(await made));
      return made;
    };

    let webkitSession: Promise<WebKitSession> | undefined;
    const newWebKitSession = (driver: WebKitDriver) => {
      const made = driver.newSession();
      closing.push(async () => (await made).quit());
      return made;
    };

    const blank = async () => {
      if (_webkit) {
        webkitSession ??= newWebKitSession(_webkit);
        const page = await openWindow(await webkitSession, index);
        opened.push(page);
        return page;
      }
      if (_firefox) {
        firefoxContext ??= newFirefoxContext(_firefox);
        const page = await openTab(_firefox, await firefoxContext, index);
        opened.push(page);
        return page;
      }
      const page = await context.newPage();
      opened.push(page);
      await page.goto(index);
      return page;
    };

    const bare = async () => {
      if (_webkit) return openWindow(await newWebKitSession(_webkit), index);
      if (_firefox) return openTab(_firefox, await newFirefoxContext(_firefox), index);
      const other = await browser.newContext();
      closing.push(() => other.close());
      const page = await other.newPage();
      await page.goto(index);
      return page;
    };

    const open = async (params: WorkerParams = {}, opts: { script?: string } = {}) => {
      if (!opts.script && !existsSync(join(DIST_DIR, 'regcache-sw.js'))) {
        throw new Error('dist/regcache-sw.js is missing: run `npm run build` first');
      }
      const page = await blank();
      const script = scriptUrl(params, opts.script);
      const reg = await registerIn(page, script);
      if (!reg.ok) {
        throw new Error(`register(${script}) failed: ${reg.name}: ${reg.message}\n${reg.workerErrors.join('\n')}`);
      }
      // A worker that does not claim clients only controls pages loaded after it activated.
      if (!(await isControlled(page))) {
        await page.reload();
        if (!(await isControlled(page))) throw new Error(`page is not controlled by ${script} even after a reload`);
      }
      return page;
    };

    const stopWorker = async (page?: Page) => {
      const first = page ?? opened[0];
      const window = first && webkitPage(first);
      if (window) return window.session.stopWorkers(env.pageOrigin);
      const tab = page ? firefoxTab(page) : opened[0] && firefoxTab(opened[0]);
      if (tab) return tab.driver.stopWorkers(tab.context, env.pageOrigin);
      return stopAllWorkers(context, page ?? opened.at(-1) ?? context.pages()[0]);
    };

    try {
      await use({ open, blank, bare, scriptUrl, stopWorker, fetchIn });
    } finally {
      for (const close of closing) await close().catch(() => {});
    }
  },
});

export function workerScriptUrl(params: WorkerParams, defaultUpstream: string, script = WORKER_SCRIPT): string {
  const q = new URLSearchParams();
  const all: WorkerParams = 'upstream' in params ? params : { upstream: defaultUpstream, ...params };
  for (const [k, v] of Object.entries(all)) {
    for (const item of Array.isArray(v) ? v : [v]) q.append(k, item);
  }
  return `${script}?${q.toString()}`;
}

/**
 * Registers `script` with scope '/' and waits until its worker is activated (or has
 * failed). A failure comes back as { ok: false } with the page's error name and message
 * exactly as the page saw them, plus what Chromium reported about the worker through
 * CDP: the page never sees the worker's own exception text, CDP does
 * (e.g. 'Uncaught Error: regcache: bad parameter ...').
 */
export async function registerIn(page: Page, script: string): Promise<RegisterResult> {
  // Firefox and WebKit have no CDP; the page's own view of the failure is all there is.
  if (firefoxTab(page) || webkitPage(page)) {
    const result = await page.evaluate(registerInPage, script);
    return result.ok ? result : { ...result, workerErrors: [] };
  }
  const cdp = await page.context().newCDPSession(page);
  const workerErrors: string[] = [];
  cdp.on('ServiceWorker.workerErrorReported', (e: { errorMessage: { errorMessage: string } }) => {
    if (!workerErrors.includes(e.errorMessage.errorMessage)) workerErrors.push(e.errorMessage.errorMessage);
  });
  try {
    await cdp.send('ServiceWorker.enable');
    const result = await page.evaluate(registerInPage, script);
    if (result.ok) return result;
    // The worker's own exception may be reported just after the page learns of the failure.
    for (let i = 0; i < 40 && !workerErrors.some((m) => m.startsWith('Uncaught')); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    return { ...result, workerErrors };
  } finally {
    await cdp.send('ServiceWorker.disable').catch(() => {});
    await cdp.detach().catch(() => {});
  }
}

// Runs in the page (so it may use nothing from this module).
async function registerInPage(script: string): Promise<{ ok: true } | { ok: false; name: string; message: string }> {
  let reg: ServiceWorkerRegistration;
  try {
    reg = await navigator.serviceWorker.register(script, { scope: '/' });
  } catch (e) {
    const err = e as Error;
    return { ok: false, name: err?.name ?? 'Error', message: err?.message ?? String(e) };
  }
  const sw = reg.installing ?? reg.waiting ?? reg.active;
  if (!sw) return { ok: false, name: 'Error', message: 'registration has no worker' };
  if (sw.state !== 'activated') {
    const state = await new Promise<string>((resolve) => {
      const check = () => {
        if (sw.state === 'activated' || sw.state === 'redundant') resolve(sw.state);
      };
      sw.addEventListener('statechange', check);
      check();
      // A new version that does not skipWaiting stays 'installed' while an old one controls clients.
      setTimeout(() => resolve(sw.state), 15_000);
    });
    if (state !== 'activated') return { ok: false, name: 'Error', message: `worker ended up ${state}` };
  }
  return { ok: true };
}

async function isControlled(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    if (navigator.serviceWorker.controller) return true;
    // clients.claim() lands a moment after activation.
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2000);
      navigator.serviceWorker.addEventListener(
        'controllerchange',
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
    return navigator.serviceWorker.controller !== null;
  });
}

interface VersionUpdate {
  versions: Array<{ versionId: string; runningStatus: string; status: string }>;
}

async function stopAllWorkers(context: BrowserContext, page: Page | undefined): Promise<void> {
  if (!page) throw new Error('stopWorker: no page open in this context');
  const cdp = await context.newCDPSession(page);
  const running = new Map<string, string>();
  cdp.on('ServiceWorker.workerVersionUpdated', (e: VersionUpdate) => {
    for (const v of e.versions) running.set(v.versionId, v.status === 'redundant' ? 'stopped' : v.runningStatus);
  });
  try {
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    const deadline = Date.now() + 10_000;
    const allStopped = () => [...running.values()].every((s) => s === 'stopped');
    while (!(running.size > 0 && allStopped())) {
      if (Date.now() > deadline) {
        if (running.size === 0) return; // nothing was registered
        throw new Error(`stopWorker: workers still ${JSON.stringify([...running])}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    await cdp.send('ServiceWorker.disable').catch(() => {});
    await cdp.detach().catch(() => {});
  }
}

export async function fetchIn(page: Page, url: string, init: FetchInit = {}): Promise<FetchResult> {
  return page.evaluate(
    async ({ url, init }): Promise<FetchResult> => {
      const { timeoutMs, ...rest } = init;
      try {
        const res = await fetch(url, {
          ...rest,
          ...(timeoutMs !== undefined ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
        });
        const bytes = new Uint8Array(await res.arrayBuffer());
        let bin = '';
        for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        const headers: Record<string, string> = {};
        res.headers.forEach((v, k) => {
          headers[k] = v;
        });
        return {
          status: res.status,
          statusText: res.statusText,
          headers,
          body: btoa(bin),
          text: new TextDecoder().decode(bytes),
        };
      } catch (e) {
        return { error: `${(e as Error)?.name}: ${(e as Error)?.message}` };
      }
    },
    { url, init },
  );
}

/** Fetches from Node, bypassing the browser: every header, no CORS, no worker. */
export async function direct(url: string, init: FetchInit = {}): Promise<FetchResult> {
  const { timeoutMs, cache: _cache, mode: _mode, credentials: _credentials, ...rest } = init;
  try {
    const res = await fetch(url, {
      ...rest,
      ...(timeoutMs !== undefined ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k] = v;
    });
    return { status: res.status, statusText: res.statusText, headers, body: bytes.toString('base64'), text: bytes.toString('utf8') };
  } catch (e) {
    const err = e as Error & { cause?: unknown };
    return { error: `${err.name}: ${err.message}${err.cause ? ` (${String(err.cause)})` : ''}` };
  }
}

export function isFetchError(r: FetchResult): r is FetchError {
  return 'error' in r;
}

/** The response of a successful fetch; throws with the error otherwise (after `what`), so tests read plainly. */
export function ok(r: FetchResult, what?: string): FetchOk {
  if (isFetchError(r)) throw new Error(`${what ? `${what}: ` : ''}expected a response, got ${r.error}`);
  return r;
}

/** The body bytes of a successful fetch; throws with the error otherwise. */
export function bodyOf(r: FetchResult): Buffer {
  return Buffer.from(ok(r).body, 'base64');
}

let seq = 0;

/** A fresh repository name valid for distribution: lower-case components joined by '/'. */
export function uniqueRepo(prefix = 'test'): string {
  const parts = prefix
    .toLowerCase()
    .split('/')
    .map((p) => p.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, ''))
    .filter(Boolean);
  const id = `${process.pid.toString(36)}-${(seq++).toString(36)}-${randomBytes(3).toString('hex')}`;
  return [...(parts.length ? parts : ['test']), id].join('/');
}
