// `npm run bench:profile`: where regcache's time goes (see profile.ts). Asserts nothing
// about timing.
import { test } from '@playwright/test';
import { runProfile } from './profile.js';
import { type Env, tearDown } from './run.js';

const stops: Env['stops'] = [];

test.afterAll(async () => {
  await tearDown(stops);
});

test('regcache profile', async () => {
  await runProfile(stops);
});
