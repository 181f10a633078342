// The property names the ready-made worker's build shortens (scripts/worker-properties.mjs)
// must be regcache's own: renaming one that IndexedDB, a page or the browser reads by name
// would break the worker in ways only some requests show.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKER_PROPERTIES } from '../../scripts/worker-properties.mjs';
import { DEFAULTS, QUERY_PARAMETERS } from '../../src/core/config.js';

const root = join(import.meta.dirname, '..', '..');

// Every `name:` or `name?:` of a TypeScript source, comments left out: the fields of its
// interfaces and object types.
function fieldsOf(file: string): Set<string> {
  const source = readFileSync(join(root, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');
  return new Set([...source.matchAll(/(\w+)\??:/g)].map((m) => m[1] as string));
}

// Terser's list of the names Web platform objects have.
function webPlatformNames(): Set<string> {
  const terser = dirname(createRequire(import.meta.url).resolve('terser/package.json'));
  const text = readFileSync(join(terser, 'tools', 'domprops.js'), 'utf8');
  return new Set([...text.matchAll(/"([^"]+)"/g)].map((m) => m[1] as string));
}

// The names JavaScript's own objects have.
function builtinNames(): Set<string> {
  const builtins = [Object, Function, Array, String, Number, Boolean, Symbol, Map, Set, WeakMap, Promise, RegExp, Date, Error];
  const objects = [...builtins, ...builtins.map((b) => b.prototype), JSON, Math, Reflect, ArrayBuffer.prototype, Uint8Array.prototype];
  return new Set(objects.flatMap((o) => Object.getOwnPropertyNames(o)));
}

describe('the property names the worker build shortens', () => {
  it('are no field of a stored record', () => {
    const stored = fieldsOf('src/sw/storage/schema.ts');
    expect(stored.has('expiresAt')).toBe(true);
    expect(WORKER_PROPERTIES.filter((n) => stored.has(n))).toEqual([]);
  });

  it('are no field of anything a page receives or sends', () => {
    const protocol = fieldsOf('src/core/protocol.ts');
    expect(protocol.has('verificationFailures')).toBe(true);
    expect(WORKER_PROPERTIES.filter((n) => protocol.has(n))).toEqual([]);
  });

  it('are no configuration name', () => {
    const config = new Set<string>([...QUERY_PARAMETERS, ...Object.keys(DEFAULTS), 'upstreams']);
    expect(WORKER_PROPERTIES.filter((n) => config.has(n))).toEqual([]);
  });

  it('are no name of a Web platform or JavaScript object', () => {
    const web = webPlatformNames();
    const builtin = builtinNames();
    expect(web.has('objectStore')).toBe(true);
    expect(builtin.has('finally')).toBe(true);
    expect(WORKER_PROPERTIES.filter((n) => web.has(n) || builtin.has(n))).toEqual([]);
  });

  it('are listed once each, as identifiers', () => {
    expect(new Set(WORKER_PROPERTIES).size).toBe(WORKER_PROPERTIES.length);
    for (const name of WORKER_PROPERTIES) expect(name).toMatch(/^[A-Za-z_$][\w$]*$/);
  });
});
