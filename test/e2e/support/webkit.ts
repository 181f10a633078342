// WebKitGTK for the e2e suite: Debian's MiniBrowser, driven by WebKitWebDriver over
// WebDriver classic (this build has no BiDi), under an Xvfb display of its own. Playwright
// cannot drive it, so Playwright Test stays the runner and the specs get a small page object
// shaped like Playwright's, as for Firefox (firefox.ts).
//
// The WebDriver client is the few HTTP commands below, over fetch: new session, navigate,
// execute async script, windows, screenshot, element lookup and keys. Each session is its
// own MiniBrowser with its own (empty, ephemeral) storage, so a test gets a session of its
// own, as a Firefox test gets a browser context.
//
// WebKit offers nothing to stop a service worker from outside. What it does on its own:
// once its origin has no client left, the network process terminates the worker after a
// fixed delay (WebCore's SWServer::defaultTerminationDelay, 10 s). stopWorkers() leaves the
// origin in every window, waits that out and comes back: the worker that answers then is a
// fresh one (test/e2e/support/bed.spec.ts checks it with a worker that reports its boot id).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { freePort } from '../../servers/registry.js';
import { guardedPage } from './guarded-page.js';

export const WEBKIT_DRIVER_PATH = '/usr/bin/WebKitWebDriver';
export const XVFB_PATH = '/usr/bin/Xvfb';

/** How long WebKit keeps a worker whose origin has no client left (WebCore's SWServer::defaultTerminationDelay). */
export const WEBKIT_IDLE_TERMINATION_MS = 10_000;
/** stopWorkers() waits this long with no client of the origin; a margin over the delay above. */
const STOP_WAIT_MS = WEBKIT_IDLE_TERMINATION_MS + 2_500;
/** Session creation hangs, rather than fails, when the browser cannot start (no display, no --automation). */
const SESSION_TIMEOUT_MS = 60_000;
const COMMAND_TIMEOUT_MS = 120_000;

let miniBrowser: string | undefined;

/** MiniBrowser from libwebkit2gtk-4.1-0 (it is not on PATH). */
export function miniBrowserPath(): string {
  if (miniBrowser) return miniBrowser;
  let files: string[];
  try {
    files = execFileSync('dpkg', ['-L', 'libwebkit2gtk-4.1-0'], { encoding: 'utf8' }).split('\n');
  } catch {
    throw new Error('WebKit: libwebkit2gtk-4.1-0 is not installed (npm test installs webkit2gtk-driver through apt)');
  }
  const found = files.find((f) => f.endsWith('/MiniBrowser'));
  if (!found) throw new Error('WebKit: no MiniBrowser in libwebkit2gtk-4.1-0');
  miniBrowser = found;
  return found;
}

export class WebDriverError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function command<T>(url: string, method: 'GET' | 'POST' | 'DELETE', body?: unknown, timeoutMs = COMMAND_TIMEOUT_MS): Promise<T> {
  const res = await fetch(url, {
    method,
    ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let value: { error?: string; message?: string } | undefined;
  try {
    value = (JSON.parse(text) as { value: typeof value }).value;
  } catch {
    throw new WebDriverError(
      'invalid response',
      `WebKitWebDriver ${method} ${new URL(url).pathname}: HTTP ${res.status}: ${text.slice(0, 200)}`,
    );
  }
  if (!res.ok || (value && typeof value === 'object' && typeof value.error === 'string')) {
    throw new WebDriverError(
      value?.error ?? `HTTP ${res.status}`,
      `WebKitWebDriver ${method} ${new URL(url).pathname}: ${value?.error}: ${value?.message}`,
    );
  }
  return value as T;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Process groups this process started; killed on exit even if a teardown never ran.
const groups = new Set<number>();
process.on('exit', () => {
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
  }
});

function startGroup(file: string, args: string[], env: NodeJS.ProcessEnv, stdio: Array<'ignore' | 'pipe'>): ChildProcess {
  // A group of its own, so its children (the browser and its web processes) end with it.
  // It stays listed after the leader exits, since children may outlive it.
  const child = spawn(file, args, { env, stdio, detached: true });
  if (child.pid) groups.add(child.pid);
  return child;
}

/** Ends a process group this module started: SIGTERM, then SIGKILL for what is left. */
async function stopGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (!pid) return;
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r));
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {}
  await Promise.race([exited, sleep(3_000)]);
  try {
    // The browser and its web processes are in the group too.
    process.kill(-pid, 'SIGKILL');
  } catch {}
  groups.delete(pid);
}

/** Xvfb on a display it picks itself (-displayfd), ready once its socket exists. */
async function startXvfb(): Promise<{ display: number; process: ChildProcess }> {
  const xvfb = startGroup(XVFB_PATH, ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], process.env, [
    'ignore',
    'ignore',
    'pipe',
    'pipe',
  ]);
  let err = '';
  xvfb.stdio[2]?.on('data', (d) => {
    err = (err + d).slice(-4000);
  });
  const display = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`Xvfb: no display after 20 s\n${err}`)), 20_000);
    xvfb.stdio[3]?.on('data', (d) => {
      out += d;
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(Number(out.trim()));
      }
    });
    xvfb.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited (${code})\n${err}`));
    });
  }).catch(async (e) => {
    await stopGroup(xvfb);
    throw e;
  });
  for (let i = 0; !existsSync(`/tmp/.X11-unix/X${display}`); i++) {
    if (i > 200) {
      await stopGroup(xvfb);
      throw new Error(`Xvfb: no socket /tmp/.X11-unix/X${display}`);
    }
    await sleep(50);
  }
  return { display, process: xvfb };
}

interface DriverProcess {
  url: string;
  process: ChildProcess;
  busy: boolean;
}

/**
 * One Xvfb, and WebKitWebDriver processes on it: a driver holds one session at a time
 * ("Maximum number of active sessions"), so a test that wants a second browser (bare())
 * gets a second driver, kept for the next test that does.
 */
export class WebKitDriver {
  private readonly drivers: DriverProcess[] = [];
  private readonly sessions = new Set<WebKitSession>();

  private constructor(
    readonly display: number,
    private readonly xvfb: ChildProcess,
  ) {}

  static async launch(): Promise<WebKitDriver> {
    for (const bin of [XVFB_PATH, WEBKIT_DRIVER_PATH]) {
      if (!existsSync(bin)) throw new Error(`WebKit: ${bin} is missing (npm test installs webkit2gtk-driver, xvfb and xauth through apt)`);
    }
    miniBrowserPath();
    const x = await startXvfb();
    const webkit = new WebKitDriver(x.display, x.process);
    try {
      await webkit.startDriver();
    } catch (e) {
      await stopGroup(x.process);
      throw e;
    }
    return webkit;
  }

  private async startDriver(): Promise<DriverProcess> {
    // The port is free when picked; another process may take it first, so try a few.
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const child = startGroup(
        WEBKIT_DRIVER_PATH,
        [`--port=${port}`, '--host=127.0.0.1'],
        { ...process.env, DISPLAY: `:${this.display}` },
        ['ignore', 'ignore', 'pipe'],
      );
      let err = '';
      child.stdio[2]?.on('data', (d) => {
        err = (err + d).slice(-4000);
      });
      const url = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && child.exitCode === null) {
        const ready = await command<{ ready: boolean }>(`${url}/status`, 'GET', undefined, 2_000).catch(() => undefined);
        if (ready?.ready) {
          const driver = { url, process: child, busy: false };
          this.drivers.push(driver);
          return driver;
        }
        await sleep(100);
      }
      lastError = new Error(`WebKitWebDriver on port ${port} did not come up\n${err}`);
      await stopGroup(child);
    }
    throw lastError;
  }

  private async dropDriver(driver: DriverProcess): Promise<void> {
    this.drivers.splice(this.drivers.indexOf(driver), 1);
    await stopGroup(driver.process);
  }

  /** A new MiniBrowser with empty storage; creation is bounded, since it hangs when the browser cannot start. */
  async newSession(): Promise<WebKitSession> {
    const driver = this.drivers.find((d) => !d.busy) ?? (await this.startDriver());
    driver.busy = true;
    let created: { sessionId: string };
    try {
      created = await command<{ sessionId: string }>(
        `${driver.url}/session`,
        'POST',
        {
          capabilities: {
            alwaysMatch: {
              browserName: 'MiniBrowser',
              'webkitgtk:browserOptions': { binary: miniBrowserPath(), args: ['--automation'] },
              timeouts: { script: COMMAND_TIMEOUT_MS - 5_000, pageLoad: 60_000 },
            },
          },
        },
        SESSION_TIMEOUT_MS,
      );
    } catch (e) {
      // A session half made would keep the driver busy: replace the driver.
      await this.dropDriver(driver);
      throw new Error(`WebKit: no session within ${SESSION_TIMEOUT_MS / 1000} s: ${(e as Error).message}`);
    }
    const session = new WebKitSession(`${driver.url}/session/${created.sessionId}`, async (ended) => {
      this.sessions.delete(session);
      if (ended) driver.busy = false;
      else await this.dropDriver(driver);
    });
    this.sessions.add(session);
    return session;
  }

  async close(): Promise<void> {
    await Promise.all([...this.sessions].map((s) => s.quit()));
    for (const driver of [...this.drivers]) await this.dropDriver(driver);
    await stopGroup(this.xvfb);
  }
}

/** A value back from the page, or what it threw. */
interface Evaluated {
  json?: string;
  // Not `error`: a WebDriver answer whose value has an `error` is WebDriver's own error.
  thrown?: string;
}

// The function's source and its argument are written into the script itself, rather than
// eval'd in the page, so a page's Content-Security-Policy cannot get in the way.
function evaluationScript(fn: string | ((arg: never) => unknown), arg: unknown): string {
  const call =
    typeof fn === 'function' ? `(${fn.toString()})(${arg === undefined ? '' : JSON.stringify(arg)})` : `(0, eval)(${JSON.stringify(fn)})`;
  return `const done = arguments[arguments.length - 1];
Promise.resolve().then(() => ${call}).then(
  (v) => { try { done(v === undefined ? {} : { json: JSON.stringify(v) }); } catch (e) { done({ thrown: 'the result is not serialisable: ' + e }); } },
  (e) => done({ thrown: e instanceof Error ? e.name + ': ' + e.message : String(e) }),
);`;
}

/** One MiniBrowser. WebDriver classic has one current window per session: commands for a window switch to it first, one at a time. */
export class WebKitSession {
  private chain: Promise<unknown> = Promise.resolve();
  private current: string | undefined;
  /** The window the session opened with, until a page takes it. */
  private spare: Promise<string> | undefined;
  readonly pages = new Set<WebKitPage>();
  private ended: Promise<void> | undefined;

  constructor(
    readonly url: string,
    /** Told whether the session ended cleanly, so its driver can take another. */
    private readonly onQuit: (ended: boolean) => Promise<void>,
  ) {
    this.spare = command<string>(`${url}/window`, 'GET');
  }

  send<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return command<T>(`${this.url}${path}`, method, body);
  }

  /** Runs `fn` with `handle` the current window, after any command already queued. */
  inWindow<T>(handle: string, fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(async () => {
      if (this.current !== handle) {
        await this.send('POST', '/window', { handle });
        this.current = handle;
      }
      return fn();
    });
    this.chain = run.catch(() => {});
    return run;
  }

  /** A window of its own (the session's first, then new ones) at `url`. */
  async newPage(url: string): Promise<WebKitPage> {
    let handle: string;
    const spare = this.spare;
    this.spare = undefined;
    if (spare) handle = await spare;
    else {
      // New Window needs an open current window: any page's will do.
      const open = [...this.pages].find((p) => !p.isClosed());
      if (!open) throw new Error('WebKit session: no window left to open another from');
      const made = await this.inWindow(open.handle, () => this.send<{ handle: string }>('POST', '/window/new', { type: 'window' }));
      handle = made.handle;
    }
    const page = new WebKitPage(this, handle);
    this.pages.add(page);
    await page.goto(url);
    return page;
  }

  /** Gives a closed page's window back, or closes it if another is open (a session must keep one). */
  async release(page: WebKitPage): Promise<void> {
    this.pages.delete(page);
    if (this.pages.size > 0 || this.spare) {
      await this.inWindow(page.handle, async () => {
        await this.send('DELETE', '/window');
        this.current = undefined;
      });
      return;
    }
    await this.inWindow(page.handle, () => this.send('POST', '/url', { url: 'about:blank' }));
    this.spare = Promise.resolve(page.handle);
  }

  /**
   * Stops the service workers of `origin` the only way WebKit allows: every window on the
   * origin goes to about:blank, WebKit terminates the origin's workers once it has been
   * without a client for its idle delay, and the windows come back. The navigation back
   * is itself a fetch event, so it starts a fresh worker.
   */
  async stopWorkers(origin: string): Promise<void> {
    const away = [...this.pages].filter((p) => !p.isClosed() && p.url().startsWith(`${origin}/`));
    const back = away.map((p) => p.url());
    for (const p of away) await p.goto('about:blank');
    await sleep(STOP_WAIT_MS);
    for (const [i, p] of away.entries()) await p.goto(back[i]!);
  }

  quit(): Promise<void> {
    this.ended ??= (async () => {
      await this.chain.catch(() => {});
      const ended = await command(this.url, 'DELETE', undefined, 15_000).then(
        () => true,
        () => false,
      );
      await this.onQuit(ended);
    })();
    return this.ended;
  }
}

/** A window of a session, with what the specs use of Playwright's Page, and element helpers for the inspector's WebKit spec. */
export class WebKitPage {
  private lastUrl = 'about:blank';
  private closed = false;

  constructor(
    readonly session: WebKitSession,
    readonly handle: string,
  ) {}

  private run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('WebKit page: the page is closed'));
    return this.session.inWindow(this.handle, fn);
  }

  private async refreshUrl(): Promise<void> {
    this.lastUrl = await this.session.send<string>('GET', '/url');
  }

  /** Playwright's page.evaluate: `fn` runs in the page with `arg`; what it returns or throws comes back as JSON. */
  evaluate<R, A>(fn: string | ((arg: A) => R | Promise<R>), arg?: A): Promise<Awaited<R>> {
    const value = this.run(async (): Promise<unknown> => {
      const out = await this.session.send<Evaluated>('POST', '/execute/async', {
        script: evaluationScript(fn as (arg: never) => unknown, arg),
        args: [],
      });
      await this.refreshUrl().catch(() => {});
      if (out?.thrown !== undefined) throw new Error(`page.evaluate: ${out.thrown}`);
      return out?.json === undefined ? undefined : JSON.parse(out.json);
    });
    return value as Promise<Awaited<R>>;
  }

  goto(url: string): Promise<void> {
    return this.run(async () => {
      await this.session.send('POST', '/url', { url });
      await this.refreshUrl();
    });
  }

  reload(): Promise<void> {
    return this.run(async () => {
      await this.session.send('POST', '/refresh', {});
      await this.refreshUrl();
    });
  }

  goBack(): Promise<void> {
    return this.run(async () => {
      await this.session.send('POST', '/back', {});
      await this.refreshUrl();
    });
  }

  goForward(): Promise<void> {
    return this.run(async () => {
      await this.session.send('POST', '/forward', {});
      await this.refreshUrl();
    });
  }

  /** The URL as of this page's last command (Playwright's page.url() is synchronous too). */
  url(): string {
    return this.lastUrl;
  }

  /** The URL now, after whatever the page did on its own (history.pushState, a link). */
  currentUrl(): Promise<string> {
    return this.run(async () => {
      await this.refreshUrl();
      return this.lastUrl;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.session.release(this);
    this.closed = true;
  }

  isClosed(): boolean {
    return this.closed;
  }

  /** The first element matching a CSS selector; WebDriver's element reference. */
  element(css: string): Promise<string> {
    return this.run(async () => {
      const found = await this.session.send<Record<string, string>>('POST', '/element', { using: 'css selector', value: css });
      return Object.values(found)[0]!;
    });
  }

  /** Types into an element as a user would (WebDriver Element Send Keys; '\uE007' is Enter). */
  sendKeys(element: string, text: string): Promise<void> {
    return this.run(() => this.session.send('POST', `/element/${element}/value`, { text }));
  }

  click(element: string): Promise<void> {
    return this.run(() => this.session.send('POST', `/element/${element}/click`, {}));
  }

  /** Sets the window's outer size (WebDriver Set Window Rect). */
  setSize(width: number, height: number): Promise<void> {
    return this.run(() => this.session.send('POST', '/window/rect', { width, height }));
  }

  /** A PNG of the window's viewport, once the page has painted what its DOM holds now. */
  screenshot(): Promise<Buffer> {
    return this.run(async () => {
      await this.session.send('POST', '/execute/async', {
        script: 'const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()));',
        args: [],
      });
      return Buffer.from(await this.session.send<string>('GET', '/screenshot'), 'base64');
    });
  }
}

const surfaces = new WeakMap<object, WebKitPage>();

/** The WebKit window behind a page from regcache.open()/blank()/bare(), or undefined for any other page. */
export function webkitPage(page: Page): WebKitPage | undefined {
  return surfaces.get(page);
}

/** A session's new window at `url`, dressed as the part of Playwright's Page the specs use. */
export async function openWindow(session: WebKitSession, url: string): Promise<Page> {
  const page = await session.newPage(url);
  const surface = {
    evaluate: (fn: string | ((arg: never) => unknown), arg?: unknown) => page.evaluate(fn, arg as never),
    reload: () => page.reload(),
    goto: (to: string) => page.goto(to),
    url: () => page.url(),
    close: () => page.close(),
    isClosed: () => page.isClosed(),
  };
  const proxy = guardedPage(surface, 'WebKit');
  surfaces.set(proxy, page);
  return proxy;
}
