// `npm run test:soak`: the long run, kept out of `npm test`. Same browser, fixtures and
// reliability reporter as the e2e suite; one worker, so it has the machine to itself.
import { defineConfig } from '@playwright/test';
import base from '../../playwright.config.js';

export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: /soak\.spec\.ts$/,
  workers: 1,
  timeout: 15 * 60_000,
  projects: [{ name: 'chromium' }],
});
