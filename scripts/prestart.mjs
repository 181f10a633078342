#!/usr/bin/env node
// Runs before `npm start`, so plain Node and no dependencies: installs the npm packages
// when node_modules is missing (a fresh clone) and builds the workers the dev server
// serves. Unlike `npm test`, it needs nothing from apt.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installPackages, runner } from './setup-steps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = runner('prestart', root);

if (!existsSync(join(root, 'node_modules', '.bin', 'vite'))) installPackages(run, root);
const vite = join(root, 'node_modules', '.bin', 'vite');
run(vite, ['build', '--logLevel', 'warn']);
run(vite, ['build', '--mode', 'inspector-sw', '--logLevel', 'warn']);
if (!existsSync(join(root, 'samples', 'oci-layout', 'oci-layout'))) run(process.execPath, [join(root, 'scripts', 'make-samples.mjs')]);
