// docs/api.md against the public entry points' types, read with the TypeScript compiler's
// API: every exported name, option, field, method, event and query parameter is documented
// there, nothing is documented there that is not exported, and the types themselves carry
// doc comments with units and defaults. When a table moves in docs/api.md, update TABLES.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SyntaxKind } from 'typescript/unstable/ast';
import { API, type Checker, SignatureKind, SymbolFlags, type Symbol as TsSymbol, type Type } from 'typescript/unstable/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS, QUERY_PARAMETERS } from '../../src/core/config.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ENTRIES = {
  'regcache/sw': 'src/sw/index.ts',
  'regcache/client': 'src/client/index.ts',
  'regcache/vite': 'src/vite/index.ts',
} as const;
type EntryPoint = keyof typeof ENTRIES;

// ---- the types ----

interface Member {
  name: string;
  doc: string;
  tags: Array<{ name: string; text: string }>;
  // For functions and methods: their parameters' names.
  parameters?: string[];
  type?: 'number' | 'string-literal' | 'other';
  literal?: string;
  optional: boolean;
}

interface Exported extends Member {
  kind: 'function' | 'class' | 'interface' | 'type' | 'const';
  // Public members declared in regcache's own source (not inherited from the DOM's Error).
  members: Member[];
  // For a union type: each variant's fields.
  variants?: Member[][];
}

function readSurface(checker: Checker, file: (path: string) => unknown): Record<EntryPoint, Exported[]> {
  const tags = (symbol: TsSymbol) => checker.getJsDocTagsOfSymbol(symbol).map((t) => ({ name: t.name, text: t.text ?? '' }));
  const typeKind = (type: Type | undefined): Pick<Member, 'type' | 'literal'> => {
    if (!type) return { type: 'other' };
    if (type.isStringLiteralType()) return { type: 'string-literal', literal: type.value };
    const base = checker.getNonNullableType(type) ?? type;
    return { type: checker.typeToString(base) === 'number' ? 'number' : 'other' };
  };
  const member = (symbol: TsSymbol): Member => {
    const type = checker.getTypeOfSymbol(symbol);
    const signatures = type && symbol.flags & SymbolFlags.Method ? checker.getSignaturesOfType(type, SignatureKind.Call) : [];
    return {
      name: symbol.name,
      doc: checker.getDocumentationCommentOfSymbol(symbol),
      tags: tags(symbol),
      optional: (symbol.flags & SymbolFlags.Optional) !== 0,
      ...(signatures[0] ? { parameters: signatures[0].getParameters().map((p) => p.name) } : {}),
      ...typeKind(type),
    };
  };
  const isPublic = (symbol: TsSymbol) =>
    symbol.declarations.some((d) => d.path.includes('/src/')) &&
    !symbol.declarations.some((d) => {
      const node = d.resolve() as { modifiers?: Iterable<{ kind: number }> } | undefined;
      return [...(node?.modifiers ?? [])].some((m) => m.kind === SyntaxKind.PrivateKeyword || m.kind === SyntaxKind.ProtectedKeyword);
    });
  const membersOf = (type: Type | undefined) => (type ? checker.getPropertiesOfType(type).filter(isPublic).map(member) : []);

  const out = {} as Record<EntryPoint, Exported[]>;
  for (const [entry, path] of Object.entries(ENTRIES) as [EntryPoint, string][]) {
    const module = checker.getSymbolAtLocation(file(path) as never);
    if (!module) throw new Error(`no module symbol for ${path}`);
    out[entry] = checker.getExportsOfModule(module).map((alias) => {
      const symbol = alias.flags & SymbolFlags.Alias ? checker.getAliasedSymbol(alias) : alias;
      const base = { ...member(symbol), name: alias.name };
      if (symbol.flags & SymbolFlags.Function) {
        const [signature] = checker.getSignaturesOfType(checker.getTypeOfSymbol(symbol)!, SignatureKind.Call);
        return { ...base, kind: 'function', members: [], parameters: signature?.getParameters().map((p) => p.name) ?? [] };
      }
      if (symbol.flags & SymbolFlags.Class) return { ...base, kind: 'class', members: membersOf(checker.getDeclaredTypeOfSymbol(symbol)) };
      if (symbol.flags & SymbolFlags.Interface) {
        return { ...base, kind: 'interface', members: membersOf(checker.getDeclaredTypeOfSymbol(symbol)) };
      }
      if (symbol.flags & SymbolFlags.TypeAlias) {
        const type = checker.getDeclaredTypeOfSymbol(symbol);
        if (type.isUnionType()) return { ...base, kind: 'type', members: [], variants: type.getTypes().map((v) => membersOf(v)) };
        return { ...base, kind: 'type', members: membersOf(type) };
      }
      const type = checker.getTypeOfSymbol(symbol);
      return { ...base, kind: 'const', members: type?.isObjectType() ? membersOf(type) : [] };
    });
  }
  return out;
}

// ---- docs/api.md ----

interface Table {
  header: string[];
  rows: string[][];
}

interface Section {
  title: string;
  // Lines outside fenced code blocks.
  prose: string[];
  // The names in the section's `import { … } from '<entry>'` block, if any.
  imports: string[];
  tables: Table[];
}

// Cells split on pipes outside code spans.
function cells(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let code = false;
  for (const ch of line.trim().replace(/^\||\|$/g, '')) {
    if (ch === '`') code = !code;
    if (ch === '|' && !code) {
      out.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  out.push(cell.trim());
  return out;
}

function readDocs(markdown: string): Map<string, Section> {
  const sections = new Map<string, Section>();
  let section: Section = { title: '', prose: [], imports: [], tables: [] };
  let fence: string[] | null = null;
  let table: Table | null = null;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) {
      if (fence) {
        const block = fence.join('\n');
        const imported = /import\s*\{([^}]*)\}\s*from\s*'regcache\/[a-z]+'/.exec(block);
        // The section's first import block lists its entry point's exports; later ones are examples.
        if (imported && section.imports.length === 0)
          section.imports.push(
            ...imported[1]!
              .split(',')
              .map((n) => n.trim().replace(/^type\s+/, ''))
              .filter(Boolean),
          );
        fence = null;
      } else fence = [];
      continue;
    }
    if (fence) {
      fence.push(line);
      continue;
    }
    if (line.startsWith('## ')) {
      section = { title: line.slice(3).trim(), prose: [], imports: [], tables: [] };
      sections.set(section.title, section);
    }
    if (line.startsWith('|')) {
      if (!table) {
        table = { header: cells(line), rows: [] };
        section.tables.push(table);
      } else if (!/^\|[\s:|-]+\|$/.test(line.trim())) table.rows.push(cells(line));
    } else table = null;
    section.prose.push(line);
  }
  return sections;
}

const codeSpans = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
const identifiers = (text: string) => text.match(/[A-Za-z_$][\w$]*/g) ?? [];
// The names a table's first cell documents: `ttl`, `upstreamGets`, `upstreamHeads`, `purge(filter: PurgeFilter)`.
const namesIn = (cell: string) => codeSpans(cell).map((span) => identifiers(span)[0]!);

// The sections that describe each entry point: its own, and for the client the events'.
const SECTIONS: Record<EntryPoint, string[]> = {
  'regcache/sw': ['`regcache/sw`'],
  'regcache/client': ['`regcache/client`', 'Events'],
  'regcache/vite': ['`regcache/vite`'],
};

// The tables that list a type's members, by their section's title and their first header cell.
const TABLES: Array<{ section: string; column: string; entry: EntryPoint; type: string }> = [
  { section: '`regcache/sw`', column: 'option', entry: 'regcache/sw', type: 'RegisterOptions' },
  { section: '`regcache/sw`', column: 'field', entry: 'regcache/sw', type: 'ManifestCache' },
  { section: '`regcache/client`', column: 'option', entry: 'regcache/client', type: 'ClientOptions' },
  { section: '`regcache/client`', column: 'method', entry: 'regcache/client', type: 'RegcacheClient' },
  { section: '`regcache/client`', column: 'field', entry: 'regcache/client', type: 'RegcacheStats' },
  { section: '`regcache/vite`', column: 'option', entry: 'regcache/vite', type: 'RegcacheViteOptions' },
];

// ---- the checks ----

let surface: Record<EntryPoint, Exported[]>;
let api: API | undefined;
const docs = readDocs(readFileSync(join(ROOT, 'docs/api.md'), 'utf8'));

beforeAll(() => {
  api = new API({ cwd: ROOT });
  const project = api.updateSnapshot({ openProjects: [join(ROOT, 'tsconfig.types.json')] }).getProjects()[0];
  if (!project) throw new Error('tsconfig.types.json did not load');
  surface = readSurface(project.checker, (path) => project.program.getSourceFile(join(ROOT, path)));
}, 60_000);

afterAll(() => api?.close());

function sectionOf(title: string): Section {
  const section = docs.get(title);
  if (!section) throw new Error(`docs/api.md has no "## ${title}" section`);
  return section;
}

function tableOf(section: string, column: string): Table {
  const table = sectionOf(section).tables.find((t) => t.header[0] === column);
  if (!table) throw new Error(`docs/api.md's "${section}" section has no table whose first column is "${column}"`);
  return table;
}

function exported(entry: EntryPoint, name: string): Exported {
  const found = surface[entry].find((e) => e.name === name);
  if (!found) throw new Error(`${entry} does not export ${name}`);
  return found;
}

describe.each(Object.keys(ENTRIES) as EntryPoint[])('%s in docs/api.md', (entry) => {
  const title = `\`${entry}\``;

  it('imports exactly the exported names in its section', () => {
    const names = surface[entry].map((e) => e.name).sort();
    expect(names.length).toBeGreaterThan(0);
    expect([...sectionOf(title).imports].sort()).toEqual(names);
  });

  it('describes every exported name, and every public member, in its section', () => {
    // A name several entry points export (ConfigError, CHANNEL_NAME) is described once, in any of their sections.
    const sharers = (name: string) => (Object.keys(ENTRIES) as EntryPoint[]).filter((other) => surface[other].some((e) => e.name === name));
    const spansOf = (entries: EntryPoint[]) =>
      new Set(
        entries.flatMap((e) => SECTIONS[e]).flatMap((t) => sectionOf(t).prose.flatMap((line) => codeSpans(line).flatMap(identifiers))),
      );
    const missing: string[] = [];
    for (const e of surface[entry]) {
      const spans = spansOf(sharers(e.name));
      if (!spans.has(e.name)) missing.push(e.name);
      for (const m of e.members) if (!spans.has(m.name)) missing.push(`${e.name}.${m.name}`);
    }
    expect(missing, `not in a code span of docs/api.md's ${SECTIONS[entry].join(' or ')} section`).toEqual([]);
  });

  it.each(TABLES.filter((t) => t.entry === entry))("lists $type's members in the table whose first column is $column", (spec) => {
    const type = exported(entry, spec.type);
    const table = tableOf(spec.section, spec.column);
    const documented = table.rows.flatMap((row) => namesIn(row[0] ?? ''));
    expect([...new Set(documented)].sort(), `the ${spec.column} table of ${spec.section}`).toEqual(type.members.map((m) => m.name).sort());

    // A default the type's doc comment starts with a number or a code span for is the table's.
    const column = table.header.indexOf('default');
    if (column < 0) return;
    for (const row of table.rows) {
      const cell = row[column] ?? '';
      if (/^as /.test(cell)) continue; // "as there": documented by reference
      for (const name of namesIn(row[0] ?? '')) {
        const tag = type.members.find((m) => m.name === name)?.tags.find((t) => t.name === 'defaultValue');
        if (!tag) continue;
        const value = /^(\d+)/.exec(tag.text)?.[1] ?? /^`([^`]+)`/.exec(tag.text)?.[1];
        if (value === undefined) continue;
        expect(cell, `${spec.type}.${name}'s default`).toContain(value);
      }
    }
  });
});

describe('the rest of docs/api.md', () => {
  it("documents each of the client's events, with exactly its fields", () => {
    const event = exported('regcache/client', 'RegcacheEvent');
    const variants = (event.variants ?? []).map((fields) => ({
      type: fields.find((f) => f.name === 'type')?.literal,
      fields: fields.map((f) => f.name).sort(),
    }));
    expect(variants.length).toBeGreaterThan(1);
    const rows = tableOf('Events', 'event').rows.map((row) => {
      const [span = ''] = codeSpans(row[0] ?? '');
      return { type: /type:\s*'([^']+)'/.exec(span)?.[1], fields: identifiers(span.replace(/'[^']*'/g, '')).sort() };
    });
    expect(rows.sort((a, b) => String(a.type).localeCompare(String(b.type)))).toEqual(
      variants.sort((a, b) => String(a.type).localeCompare(String(b.type))),
    );
  });

  it("documents exactly the ready-made worker's query parameters, with their defaults", () => {
    const table = tableOf('The ready-made worker', 'parameter');
    expect(table.rows.flatMap((row) => namesIn(row[0] ?? '')).sort()).toEqual([...QUERY_PARAMETERS].sort());
    const column = table.header.indexOf('default');
    for (const [name, value] of Object.entries(DEFAULTS)) {
      const row = table.rows.find((r) => namesIn(r[0] ?? '').includes(name));
      expect(row?.[column], `${name}'s default`).toContain(String(value));
    }
  });
});

describe('doc comments of the public types', () => {
  it('on every exported name and public member, with a @param for every parameter', () => {
    const undocumented: string[] = [];
    const check = (where: string, m: Member) => {
      if (!m.doc.trim()) undocumented.push(where);
      for (const p of m.parameters ?? []) {
        if (!m.tags.some((t) => t.name === 'param' && t.text.startsWith(`${p} `))) undocumented.push(`${where}(${p}) @param`);
      }
    };
    for (const [entry, names] of Object.entries(surface)) {
      for (const e of names) {
        check(`${entry} ${e.name}`, e);
        for (const m of e.members) check(`${entry} ${e.name}.${m.name}`, m);
        for (const [i, fields] of (e.variants ?? []).entries()) for (const f of fields) check(`${entry} ${e.name}[${i}].${f.name}`, f);
      }
    }
    expect(undocumented).toEqual([]);
  });

  it('give the unit of every number and the default of every optional member of an options type', () => {
    const problems: string[] = [];
    for (const [entry, names] of Object.entries(surface)) {
      for (const e of names.filter((n) => n.kind === 'interface' && n.name.endsWith('Options'))) {
        for (const m of e.members) {
          if (m.type === 'number' && !/\b(seconds|milliseconds|bytes)\b/i.test(m.doc))
            problems.push(`${entry} ${e.name}.${m.name}: no unit`);
          if (m.optional && !m.tags.some((t) => t.name === 'defaultValue')) problems.push(`${entry} ${e.name}.${m.name}: no @defaultValue`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('give the numeric options the defaults DEFAULTS holds', () => {
    const options = exported('regcache/sw', 'ManifestCacheOptions');
    for (const [name, value] of Object.entries(DEFAULTS)) {
      const tag = options.members.find((m) => m.name === name)?.tags.find((t) => t.name === 'defaultValue');
      expect(/\d+/.exec(tag?.text ?? '')?.[0], `ManifestCacheOptions.${name}`).toBe(String(value));
    }
  });
});
