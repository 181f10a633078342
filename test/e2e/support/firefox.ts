// Firefox ESR for the e2e suite. Playwright cannot drive Debian's Firefox, so puppeteer-core
// does, over WebDriver BiDi, and the specs get a small page object shaped like Playwright's.
//
// What Chromium gives through CDP comes from Firefox's own privileged code: Firefox is
// started with -remote-allow-system-access, so BiDi can evaluate in the parent process
// ("chrome" scope), where the service worker manager can stop a worker
// (nsIServiceWorkerInfo.terminateWorker) and start one without any event
// (attachDebugger/detachDebugger, as about:debugging's "Start" does), and where the
// "service-worker-synthesized-response" notification says which responses a worker made.
import type { Page } from '@playwright/test';
import puppeteer, { type Browser, type BrowserContext, type Page as PuppeteerPage } from 'puppeteer-core';
import { guardedPage } from './guarded-page.js';

export const FIREFOX_PATH = '/usr/bin/firefox-esr';

export const FIREFOX_PREFS: Record<string, unknown> = {
  // Firefox's defaults, pinned: a worker lives 30 s past its last event (5 min while a
  // waitUntil is pending), like Chromium's, so an idle pause in a test (the expiry alarm
  // test waits seconds without page requests) never turns into a restart. Restarts are
  // explicit: stopWorker() below.
  'dom.serviceWorkers.idle_timeout': 30_000,
  'dom.serviceWorkers.idle_extended_timeout': 300_000,
};

interface BidiConnection {
  send(method: string, params: object): Promise<{ result: unknown }>;
}

interface CallResult {
  type: 'success' | 'exception';
  result?: { type: string; value?: unknown };
  exceptionDetails?: { text: string };
}

/** A worker of one registration, as the parent process sees it. */
export interface FirefoxWorker {
  script: string;
  /** Whether the worker runs right now (Firefox keeps a lifetime deadline only while it does). */
  running: boolean;
  /** How many times Firefox has started it. */
  launches: number;
}

export interface Received {
  url: string;
  fromServiceWorker: boolean;
}

// Installed once per browser in the parent process: worker control and a log of the
// responses pages received, keyed by Firefox's internal user context id.
const AGENT = `
const swm = Cc['@mozilla.org/serviceworkers/manager;1'].getService(Ci.nsIServiceWorkerManager);
const { UserContextManager } = ChromeUtils.importESModule('chrome://remote/content/shared/UserContextManager.sys.mjs');
const received = []; // { uc, url, fromServiceWorker }
const workersOf = (contextId, origin) => {
  const uc = UserContextManager.getInternalIdById(contextId);
  const regs = swm.getAllRegistrations();
  const out = [];
  for (let i = 0; i < regs.length; i++) {
    const reg = regs.queryElementAt(i, Ci.nsIServiceWorkerRegistrationInfo);
    if (reg.principal.originAttributes.userContextId !== uc || !reg.scope.startsWith(origin + '/')) continue;
    for (const w of [reg.installingWorker, reg.waitingWorker, reg.activeWorker]) if (w) out.push(w);
  }
  return out;
};
const describe = (w) => ({ script: w.scriptSpec, running: w.lifetimeDeadline > 0, launches: w.launchCount });
// A page's fetch: a fetch() load with a browsing context (a worker's own fetches have none).
const pageFetch = (channel) => {
  const info = channel.loadInfo;
  return info.externalContentPolicyType === Ci.nsIContentPolicy.TYPE_FETCH && info.browsingContextID !== 0;
};
const record = (subject, fromServiceWorker) => {
  try {
    const channel = subject.QueryInterface(Ci.nsIHttpChannel);
    if (!pageFetch(channel) || channel.requestMethod === 'OPTIONS') return;
    received.push({ uc: channel.loadInfo.originAttributes.userContextId, url: channel.URI.spec, fromServiceWorker });
  } catch {}
};
Services.obs.addObserver({ observe: (s) => record(s, false) }, 'http-on-examine-response');
Services.obs.addObserver({ observe: (s) => record(s, true) }, 'service-worker-synthesized-response');
globalThis.__regcacheTest = {
  workers: ({ contextId, origin }) => workersOf(contextId, origin).map(describe),
  stop: ({ contextId, origin }) => workersOf(contextId, origin).filter((w) => w.lifetimeDeadline > 0).map((w) => (w.terminateWorker(), describe(w))),
  start: ({ contextId, origin }) => {
    const reg = workersOf(contextId, origin);
    const active = reg.at(-1);
    if (!active) throw new Error('no worker registered');
    active.attachDebugger();
    active.detachDebugger();
    return describe(active);
  },
  // Drops the user context's workers and data, so nothing of a finished test runs on.
  forget: ({ contextId }) => {
    const uc = UserContextManager.getInternalIdById(contextId);
    if (uc === null || uc === undefined) return false;
    for (let i = received.length - 1; i >= 0; i--) if (received[i].uc === uc) received.splice(i, 1);
    return new Promise((resolve) => Services.clearData.deleteDataFromOriginAttributesPattern({ userContextId: uc }, () => resolve(true)));
  },
  received: ({ contextId }) => {
    const uc = UserContextManager.getInternalIdById(contextId);
    return received.filter((r) => r.uc === uc).map(({ url, fromServiceWorker }) => ({ url, fromServiceWorker }));
  },
};
return true;
`;

export class FirefoxDriver {
  private chromeContext = '';

  private constructor(readonly browser: Browser) {}

  static async launch(): Promise<FirefoxDriver> {
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX_PATH,
      headless: true,
      args: ['-remote-allow-system-access'],
      extraPrefsFirefox: FIREFOX_PREFS,
    });
    const driver = new FirefoxDriver(browser);
    try {
      await driver.installAgent();
    } catch (e) {
      await browser.close();
      throw e;
    }
    return driver;
  }

  private get connection(): BidiConnection {
    return (this.browser as unknown as { connection: BidiConnection }).connection;
  }

  private async installAgent(): Promise<void> {
    const tree = (await this.connection.send('browsingContext.getTree', { 'moz:scope': 'chrome' })).result as {
      contexts: Array<{ context: string; url: string }>;
    };
    const main = tree.contexts.find((c) => c.url === 'chrome://browser/content/browser.xhtml');
    if (!main) throw new Error(`Firefox: no browser window among ${JSON.stringify(tree.contexts.map((c) => c.url))}`);
    this.chromeContext = main.context;
    await this.chrome(`return (() => { ${AGENT} })();`, null);
  }

  /** Runs `body` (with `arg` in scope) in the parent process; both ways as JSON. */
  async chrome<T>(body: string, arg: unknown): Promise<T> {
    const { result } = (await this.connection.send('script.callFunction', {
      functionDeclaration: `async (json) => { const arg = JSON.parse(json); return JSON.stringify(await (async () => { ${body} })() ?? null); }`,
      arguments: [{ type: 'string', value: JSON.stringify(arg) }],
      target: { context: this.chromeContext },
      awaitPromise: true,
    })) as { result: CallResult };
    if (result.type !== 'success') throw new Error(`Firefox parent process: ${result.exceptionDetails?.text ?? JSON.stringify(result)}`);
    return JSON.parse(String(result.result?.value)) as T;
  }

  private agent<T>(method: 'workers' | 'stop' | 'start' | 'received' | 'forget', context: BrowserContext, origin?: string): Promise<T> {
    const contextId = context.id;
    if (!contextId) throw new Error('Firefox: the default browser context has no user context id');
    return this.chrome<T>(`return globalThis.__regcacheTest.${method}(arg);`, { contextId, origin });
  }

  workers(context: BrowserContext, origin: string): Promise<FirefoxWorker[]> {
    return this.agent('workers', context, origin);
  }

  /** Terminates every running worker of `origin` in the context; waits until none runs. */
  async stopWorkers(context: BrowserContext, origin: string): Promise<void> {
    const stopped = await this.agent<FirefoxWorker[]>('stop', context, origin);
    if (stopped.length === 0) return;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const running = (await this.workers(context, origin)).filter((w) => w.running);
      if (running.length === 0) return;
      if (Date.now() > deadline) throw new Error(`stopWorker: workers still running: ${JSON.stringify(running)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Starts the active worker of `origin` with no fetch or message; waits until it runs. */
  async startWorker(context: BrowserContext, origin: string): Promise<void> {
    await this.agent('start', context, origin);
    const deadline = Date.now() + 10_000;
    while (!(await this.workers(context, origin)).some((w) => w.running)) {
      if (Date.now() > deadline) throw new Error('startWorker: the worker did not start');
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Responses the pages of the user context received for fetch(), and whether a worker made them. */
  received(context: BrowserContext): Promise<Received[]> {
    return this.agent('received', context);
  }

  newContext(): Promise<BrowserContext> {
    return this.browser.createBrowserContext();
  }

  /** Closes a context of a finished test, its workers and stored data with it. */
  async forget(context: BrowserContext): Promise<void> {
    await this.agent('forget', context).catch(() => {});
    await context.close();
  }

  close(): Promise<void> {
    return this.browser.close();
  }
}

/** A puppeteer page dressed as the part of Playwright's Page the specs use. */
export interface FirefoxTab {
  driver: FirefoxDriver;
  context: BrowserContext;
  page: PuppeteerPage;
}

const tabs = new WeakMap<object, FirefoxTab>();

/** The Firefox tab behind a page from regcache.open()/blank()/bare(), or undefined for a Playwright page. */
export function firefoxTab(page: Page): FirefoxTab | undefined {
  return tabs.get(page);
}

export async function openTab(driver: FirefoxDriver, context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  const surface = {
    // Playwright passes one argument; so does every spec.
    evaluate: (fn: string | ((arg: never) => unknown), arg?: unknown) =>
      arg === undefined ? page.evaluate(fn as () => unknown) : page.evaluate(fn as (a: unknown) => unknown, arg),
    reload: () => page.reload(),
    goto: (to: string) => page.goto(to),
    url: () => page.url(),
    close: () => page.close(),
    isClosed: () => page.isClosed(),
  };
  const proxy = guardedPage(surface, 'Firefox');
  tabs.set(proxy, { driver, context, page });
  return proxy;
}
