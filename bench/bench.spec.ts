// The bench as one Playwright test, so TypeScript runs without a build step. It asserts
// that every scenario answered as it should, never how fast.
import { expect, test } from '@playwright/test';
import { type Env, runBench, tearDown } from './run.js';

const stops: Env['stops'] = [];

// Hooks still run after a test timeout, so registries and Chromium never outlive the run.
test.afterAll(async () => {
  await tearDown(stops);
});

test('regcache bench', async () => {
  const results = await runBench(stops);
  expect(results.problems).toEqual([]);
});
