import { defineConfig } from '@playwright/test';

// `npm run bench` only; `npm test` reads ../playwright.config.ts, whose testDir is test/e2e.
// The bench launches its own Chromium (a persistent profile), so no `use` block here.
export default defineConfig({
  testDir: '.',
  testMatch: ['bench.spec.ts', 'profile.spec.ts', 'headget.spec.ts'],
  workers: 1,
  retries: 0,
  reporter: [['list', { printSteps: false }]],
  // A safety net well above the bench's own running time; afterAll still tears down.
  timeout: 25 * 60_000,
});
