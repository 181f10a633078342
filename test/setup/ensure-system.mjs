#!/usr/bin/env node
// Runs before anything is installed, so plain Node and no dependencies.
// Puts in place what the end-to-end tests need: node_modules, Debian's Chromium
// (Playwright's own browser download is not reachable), Debian's Firefox ESR (driven by
// puppeteer-core for the firefox project), WebKitGTK's driver and MiniBrowser with an X
// server to show it (the webkit project), distribution's registry and skopeo.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installPackages, runner } from '../../scripts/setup-steps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = runner('ensure-system', root);

if (!existsSync(join(root, 'node_modules'))) installPackages(run, root);

const needed = {
  '/usr/bin/chromium': 'chromium',
  '/usr/bin/firefox-esr': 'firefox-esr',
  // Brings libwebkit2gtk-4.1-0, whose MiniBrowser the driver starts; the fixtures start Xvfb.
  '/usr/bin/WebKitWebDriver': 'webkit2gtk-driver',
  '/usr/bin/Xvfb': 'xvfb',
  '/usr/bin/xauth': 'xauth',
  '/usr/bin/docker-registry': 'docker-registry',
  // Writes the OCI image layouts the layout import is tested with.
  '/usr/bin/skopeo': 'skopeo',
  // The token server of the auth tests signs with a certificate openssl makes.
  '/usr/bin/openssl': 'openssl',
};
const missing = Object.entries(needed)
  .filter(([bin]) => !existsSync(bin))
  .map(([, pkg]) => pkg);
if (missing.length > 0) {
  if (process.getuid?.() !== 0) {
    console.error(`ensure-system: missing ${missing.join(', ')}; install with: sudo apt-get install -y ${missing.join(' ')}`);
    process.exit(1);
  }
  run('apt-get', ['update']);
  run('apt-get', ['install', '-y', ...missing], { ...process.env, DEBIAN_FRONTEND: 'noninteractive' });
}
