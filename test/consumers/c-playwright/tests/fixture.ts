// How a suite adds regcache: one test.extend, and its options in test.use.
import { test as base } from '@playwright/test';
import { type RegcachePlaywrightOptions, regcacheFixtures } from 'regcache/playwright';

export const test = base.extend(regcacheFixtures);
export { expect } from '@playwright/test';

const options: RegcachePlaywrightOptions = {
  upstreams: [process.env.REGISTRY!],
  fresh: Number(process.env.FRESH ?? 0),
  bundle: process.env.BUNDLE,
  update: process.env.UPDATE === '1',
  notFound: process.env.NOT_FOUND === 'abort' ? 'abort' : 'fetch',
};
test.use({ regcacheOptions: options });

// The references this run reads: "repo:tag" or "repo@digest", comma-separated.
export const REFS = (process.env.REFS ?? '').split(',').filter(Boolean);
