// Many tabs on a cold cache: one worker serves them all, and identical requests share
// one upstream fetch whichever tab they come from.
import type { Page } from '@playwright/test';
import { ACCEPT_ALL, type PushedImage, pushImage } from '../../servers/images.js';
import { expect, test, uniqueRepo } from '../support/fixtures.js';
import { reliability } from '../support/hardening.js';

const TABS = 5;
const PER_TAB = 50;

interface Answer {
  url: string;
  status: number;
  digest: string;
  cacheStatus: string | null;
}

// Arms a page: its burst waits on a BroadcastChannel message so that every tab starts at once.
function burst(page: Page, urls: string[]): Promise<Answer[]> {
  return page.evaluate(
    async ({ urls, accept }) => {
      const w = window as unknown as { armed?: boolean };
      const go = new Promise<void>((resolve) => {
        new BroadcastChannel('regcache-test-go').onmessage = () => resolve();
      });
      w.armed = true;
      await go;
      const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
      return Promise.all(
        urls.map(async (url) => {
          const res = await fetch(url, { headers: { Accept: accept } });
          const body = await res.arrayBuffer();
          return {
            url,
            status: res.status,
            digest: `sha256:${hex(await crypto.subtle.digest('SHA-256', body))}`,
            cacheStatus: res.headers.get('Cache-Status'),
          };
        }),
      );
    },
    { urls, accept: ACCEPT_ALL },
  );
}

test(`${TABS} tabs × ${PER_TAB} concurrent requests for the same 10 references: 10 upstream GETs`, async ({ env, regcache }) => {
  const repo = uniqueRepo('tabs');
  const images: PushedImage[] = [];
  for (let i = 0; i < 10; i++) images.push(await pushImage(env.registry.url, repo, `t${i}`, 'oci', { salt: `tab-${i}` }));
  // Five references by tag, five by digest: ten different manifests.
  const refs = images.map((img, i) => ({ ref: i < 5 ? img.tag : img.digest, digest: img.digest }));
  const url = (ref: string) => `${env.proxy.url}/v2/${repo}/manifests/${ref}`;
  const expected = new Map(refs.map((r) => [url(r.ref), r.digest]));

  const pages = [await regcache.open()];
  // Pages loaded after activation are controlled by the same worker.
  while (pages.length < TABS) pages.push(await regcache.blank());
  for (const page of pages) expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  const trigger = await regcache.blank();

  env.proxy.reset();
  // Each tab asks for every reference five times, in a different order per tab.
  const bursts = pages.map((page, t) =>
    burst(
      page,
      Array.from({ length: PER_TAB }, (_, i) => url(refs[(i * 3 + t) % refs.length]!.ref)),
    ),
  );
  for (const page of pages) {
    await expect.poll(() => page.evaluate(() => (window as unknown as { armed?: boolean }).armed === true)).toBe(true);
  }
  await trigger.evaluate(() => new BroadcastChannel('regcache-test-go').postMessage('go'));
  const answers = (await Promise.all(bursts)).flat();

  expect(answers).toHaveLength(TABS * PER_TAB);
  const wrong = answers.filter((a) => a.status !== 200 || a.digest !== expected.get(a.url));
  expect(wrong, JSON.stringify(wrong.slice(0, 3))).toEqual([]);
  for (const a of answers) expect(a.cacheStatus).toMatch(/^regcache; /);

  const gets = env.proxy.log.filter((e) => e.method === 'GET');
  expect(gets).toHaveLength(10);
  // Exactly one per reference.
  expect(new Set(gets.map((e) => e.path)).size).toBe(10);
  const collapsed = answers.filter((a) => a.cacheStatus?.includes('collapsed')).length;
  const hits = answers.filter((a) => a.cacheStatus?.startsWith('regcache; hit')).length;
  reliability(
    `${TABS} tabs each fire ${PER_TAB} concurrent requests for the same 10 references, cold cache`,
    `upstream saw ${gets.length} GETs (one per reference); ${answers.length - wrong.length}/${answers.length} answers 200 with the right bytes, all but those ${gets.length} either waiting on one of their fetches or served from the store`,
  );
  expect(collapsed + hits).toBeGreaterThan(0);
});
