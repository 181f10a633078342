import type { Page } from '@playwright/test';
import { ACCEPT_ALL } from '../../servers/images.js';
import { type Env, ok, type Regcache } from './fixtures.js';

/** A GET of `repo`'s manifest `ref` through the proxy, from the page: status, Cache-Status and digest. */
export async function manifestAnswer(regcache: Regcache, page: Page, env: Env, repo: string, ref: string) {
  const answer = ok(await regcache.fetchIn(page, `${env.proxy.url}/v2/${repo}/manifests/${ref}`, { headers: { Accept: ACCEPT_ALL } }));
  return {
    status: answer.status,
    cacheStatus: answer.headers['cache-status'] ?? '',
    digest: answer.headers['docker-content-digest'] ?? '',
  };
}

/**
 * Loads dist/playwright-page.js (the client's bundle code, as the Playwright fixture injects
 * it) into the page, through evaluate alone so that Firefox's and WebKit's pages can too.
 */
export async function withBundleCode(page: Page): Promise<void> {
  await page.evaluate(
    (src) =>
      new Promise<void>((resolve, reject) => {
        const script = document.createElement('script');
        script.src = src;
        script.onload = () => resolve();
        script.onerror = () => reject(new Error(`${src} did not load`));
        document.head.append(script);
      }),
    '/playwright-page.js',
  );
}
