import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import type { RegcacheOptions } from './test/e2e/support/fixtures.js';

// Playwright's own browser download is unreachable here; Debian's Chromium is used
// instead, with the background services that would phone home switched off.
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

// The contract's e2e suite (core and expiry behaviours) and the client's bundle and OCI
// layout specs also run in Firefox ESR, driven by
// puppeteer-core (test/e2e/support/firefox.ts); the project name printed with each test names the engine.
export const CONTRACT_SPECS =
  /[\\/](answers|traffic|offline|failures|verification|untouched|config|expiry|sweep|budget|client|variants|rate-limits|credentials|swr|bundles|oci-layout-import)\.spec\.ts$/;

// WebKitGTK (MiniBrowser, driven by WebKitWebDriver: test/e2e/support/webkit.ts) runs the
// contract's specs too, the test bed's own checks of its fixtures, and the inspector's main
// flow in a spec of its own.
export const WEBKIT_ONLY = /[\\/]inspector-webkit\.spec\.ts$/;
const WEBKIT_EXTRA = /[\\/](bed|inspector-webkit)\.spec\.ts$/;

// Firefox runs the inspector's registry browser, offline library and compare flows through
// puppeteer's page API in a spec of its own.
export const FIREFOX_ONLY = /[\\/]inspector-firefox\.spec\.ts$/;

export default defineConfig<object, RegcacheOptions>({
  testDir: 'test/e2e',
  workers: 2,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // The reliability reporter turns the hardening specs' recorded faults into the table in docs/reliability.md.
  reporter: [['list'], [fileURLToPath(new URL('./test/reliability/reporter.ts', import.meta.url))]],
  timeout: 60_000,
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
  },
  projects: [
    { name: 'chromium', testIgnore: [WEBKIT_ONLY, FIREFOX_ONLY] },
    { name: 'firefox', testMatch: [CONTRACT_SPECS, FIREFOX_ONLY], use: { engine: 'firefox' } },
    { name: 'webkit', testMatch: [CONTRACT_SPECS, WEBKIT_EXTRA], use: { engine: 'webkit' } },
  ],
});
