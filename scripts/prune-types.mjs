#!/usr/bin/env node
// Keeps in dist/types only the declarations a consumer can reach: the entry points'
// (package.json `exports`, `types`) and what they import. tsc emits a .d.ts for every
// module in the program, internal ones included; declarations marked @internal are
// already stripped (tsconfig.types.json), so the public ones import no internal module.
// Runs after `tsc -p tsconfig.types.json` in `npm run build`.
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const typesDir = join(root, 'dist', 'types');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const entries = Object.values(pkg.exports)
  .flatMap((target) => (typeof target === 'object' && target.types ? [resolve(root, target.types)] : []))
  .filter((file) => file.startsWith(typesDir));

const keep = new Set();
const queue = [...entries];
while (queue.length > 0) {
  const file = queue.pop();
  if (keep.has(file)) continue;
  let source;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    console.error(`prune-types: ${relative(root, file)} is missing (was tsc run?)`);
    process.exit(1);
  }
  keep.add(file);
  // `import … from './x.js'`, `export … from '../y.js'`, `import('./z.js')`.
  for (const [, spec] of source.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
    queue.push(resolve(dirname(file), spec.replace(/\.js$/, '.d.ts')));
  }
}

// Deletes what is not kept; returns whether the directory is left empty.
function prune(dir) {
  let empty = true;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory() ? prune(path) : !keep.has(path)) rmSync(path, { recursive: true });
    else empty = false;
  }
  return empty;
}
prune(typesDir);
console.log(
  `prune-types: dist/types holds ${[...keep]
    .map((f) => relative(typesDir, f))
    .sort()
    .join(', ')}`,
);
