import type { Page } from '@playwright/test';

/** The part of Playwright's Page that the Firefox and WebKit drivers offer to specs. */
export interface PageSurface {
  evaluate(fn: string | ((arg: never) => unknown), arg?: unknown): Promise<unknown>;
  reload(): Promise<unknown>;
  goto(url: string): Promise<unknown>;
  url(): string;
  close(): Promise<unknown>;
  isClosed(): boolean;
}

const OFFERED: readonly string[] = ['evaluate', 'reload', 'goto', 'url', 'close', 'isClosed'];

/**
 * `surface` dressed as a Playwright Page for a spec running in `engine`. Anything else a spec
 * reaches for (context(), CDP, locators) is a Chromium-only check: say so instead of failing
 * somewhere deep in an undefined.
 */
export function guardedPage(surface: PageSurface, engine: string): Page {
  return new Proxy(surface, {
    get(target, prop, receiver) {
      if (typeof prop === 'symbol' || prop === 'then' || prop === 'toJSON') return Reflect.get(target, prop, receiver);
      if (!OFFERED.includes(prop)) {
        throw new Error(
          `${engine} page: page.${prop} is not available (offered: ${OFFERED.join(', ')}); a check that needs it is Chromium-only`,
        );
      }
      return Reflect.get(target, prop, receiver);
    },
  }) as unknown as Page;
}
