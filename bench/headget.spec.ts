// HEAD against GET, side by side (bench/headget.ts): `npm run bench:headget`.
import { test } from '@playwright/test';
import { runHeadGet } from './headget.js';
import { type Env, tearDown } from './run.js';

const stops: Env['stops'] = [];

test.afterAll(async () => {
  await tearDown(stops);
});

test('HEAD against GET', async () => {
  await runHeadGet(stops);
});
