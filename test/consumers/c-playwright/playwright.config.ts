// A suite of "another team": its app (APP_ORIGIN) reads manifests from a registry
// (REGISTRY). test/e2e/library/playwright-fixture.spec.ts runs it from the packed tarball.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'tests',
  workers: Number(process.env.WORKERS ?? 1),
  fullyParallel: true,
  retries: 0,
  reporter: [['json', { outputFile: process.env.REPORT ?? 'report.json' }]],
  use: {
    baseURL: process.env.APP_ORIGIN,
    browserName: 'chromium',
    launchOptions: { executablePath: process.env.CHROMIUM_PATH, args: (process.env.CHROMIUM_ARGS ?? '').split(' ').filter(Boolean) },
  },
});
