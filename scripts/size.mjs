#!/usr/bin/env node
// Gzipped sizes of what regcache ships, against the ready-made worker's budget.
// Runs after `npm run build` (pretest runs it, so CI's log shows the figures).
//   node scripts/size.mjs            print the table and the verdict
//   node scripts/size.mjs --docs     also rewrite the generated table in docs/size.md
//   node scripts/size.mjs --strict   exit 1 when the worker is over budget
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { minifySync } from 'vite';
import { replaceSection } from './docs-section.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The page that shows the generated table (--docs).
const SIZE_PAGE = join(root, 'docs', 'size.md');
// 12 KiB. The credential model, the storage modules and `swr` raised it step by step to
// 13.5 KiB; dropping idb and workbox-routing from the ready-made worker, more minifier passes
// and shortened property names won it back (docs/size.md, issue 15).
const BUDGET = 12 * 1024;

// What a consumer's bundler would emit: the ESM entry points are built unminified (so that
// they stay readable and tree-shakable), so they are minified here the way Vite minifies an app.
function minified(file) {
  const source = readFileSync(join(root, file), 'utf8');
  const { code, errors } = minifySync(file, source, { module: true });
  if (errors.length > 0) throw new Error(`size: could not minify ${file}: ${errors[0].message}`);
  return code;
}

function measure(files, minify) {
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    if (!existsSync(join(root, file))) {
      console.error(`size: ${file} is missing; run \`npm run build\` first`);
      process.exit(1);
    }
    const code = minify ? minified(file) : readFileSync(join(root, file), 'utf8');
    raw += Buffer.byteLength(code);
    gzip += gzipSync(code, { level: 9 }).length;
  }
  return { raw, gzip };
}

const rows = [
  {
    name: 'dist/regcache-sw.js',
    what: 'the ready-made worker, all in one',
    ...measure(['dist/regcache-sw.js'], false),
  },
  {
    name: 'regcache/sw',
    what: "regcache's code for your worker",
    ...measure(['dist/sw.js', 'dist/shared.js', 'dist/storage.js'], true),
  },
  {
    name: 'regcache/client',
    what: 'the page client',
    ...measure(['dist/client.js', 'dist/shared.js'], true),
  },
];

const bytes = (n) => `${n.toLocaleString('en-US')} B`;
const kib = (n) => `${(n / 1024).toFixed(2)} KiB`;
const worker = rows[0].gzip;
const over = worker - BUDGET;
const verdict =
  over > 0
    ? `over budget: the ready-made worker is ${bytes(worker)} gzipped, ${bytes(over)} over the ${kib(BUDGET)} (${bytes(BUDGET)}) target`
    : `within budget: the ready-made worker is ${bytes(worker)} gzipped, ${bytes(-over)} under the ${kib(BUDGET)} (${bytes(BUDGET)}) target`;

console.log('regcache sizes (minified, gzip -9):');
for (const row of rows) {
  console.log(`  ${row.name.padEnd(20)} ${bytes(row.gzip).padStart(9)} gzipped (${kib(row.gzip)}), ${bytes(row.raw)} minified`);
}
console.log(`size: ${verdict}`);

if (process.argv.includes('--docs')) {
  const table = [
    '| entry point | what | gzipped | minified |',
    '|---|---|---:|---:|',
    ...rows.map((r) => `| \`${r.name}\` | ${r.what} | ${bytes(r.gzip)} (${kib(r.gzip)}) | ${bytes(r.raw)} |`),
  ].join('\n');
  const verdictLine = `${verdict[0].toUpperCase()}${verdict.slice(1)}.`;
  const changed = replaceSection(SIZE_PAGE, '<!-- size:start -->', '<!-- size:end -->', `${table}\n\n${verdictLine}`);
  console.log(`size: docs/size.md ${changed ? 'updated' : 'already up to date'}`);
}

if (process.argv.includes('--strict') && over > 0) process.exit(1);
