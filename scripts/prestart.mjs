#!/usr/bin/env node
// Runs before `npm start`, so plain Node and no dependencies: installs the npm packages
// when node_modules is missing (a fresh clone) and builds the workers the dev server
// serves. Unlike `npm test`, it needs nothing from apt.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function run(cmd, args) {
  console.log(`prestart: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`prestart: \`${cmd} ${args.join(' ')}\` failed (${r.error?.message ?? `exit ${r.status}`})`);
    process.exit(1);
  }
}

if (!existsSync(join(root, 'node_modules', '.bin', 'vite'))) {
  run('npm', [existsSync(join(root, 'package-lock.json')) ? 'ci' : 'install']);
}
const vite = join(root, 'node_modules', '.bin', 'vite');
run(vite, ['build', '--logLevel', 'warn']);
run(vite, ['build', '--mode', 'inspector-sw', '--logLevel', 'warn']);
if (!existsSync(join(root, 'samples', 'oci-layout', 'oci-layout'))) run(process.execPath, [join(root, 'scripts', 'make-samples.mjs')]);
