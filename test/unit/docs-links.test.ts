// The README and the pages under docs/ link to each other, to files in the repository and
// to headings. A moved file or a renamed heading breaks a link silently, so every relative
// link is checked here: its file must exist inside the repository, and its #anchor must be
// a heading of the page it points at (GitHub's slugs).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README_LIMIT = 12 * 1024;

const pages = [
  'README.md',
  'CHANGELOG.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

// Markdown without fenced code blocks and inline code, so that a `# comment` in a shell
// block is no heading and `[x](y)` inside backticks is no link.
function prose(markdown: string): string[] {
  const lines: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const marker = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (marker && (fence === null || marker.startsWith(fence))) {
      fence = fence === null ? marker : null;
      lines.push('');
      continue;
    }
    lines.push(fence === null ? line.replace(/(`+)[^`]*?\1/g, '') : '');
  }
  return lines;
}

// GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens, and
// -1, -2, … on repeats.
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const marker = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (marker && (fence === null || marker.startsWith(fence))) {
      fence = fence === null ? marker : null;
      continue;
    }
    const heading = fence === null ? /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1] : undefined;
    if (heading === undefined) continue;
    const text = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .replace(/`/g, '');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

interface Link {
  page: string;
  line: number;
  target: string;
}

function links(page: string): Link[] {
  const out: Link[] = [];
  prose(readFileSync(join(ROOT, page), 'utf8')).forEach((text, i) => {
    const found = [
      ...[...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!),
      ...[...text.matchAll(/\b(?:href|src)="([^"]+)"/g)].map((m) => m[1]!),
    ];
    for (const target of found) out.push({ page, line: i + 1, target });
  });
  return out;
}

// What is wrong with a link, or null. Links with a scheme (https:, mailto:) are not checked.
function problem({ page, target }: Link): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return null;
  const [path = '', fragment] = target.split('#', 2);
  const file = path === '' ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), decodeURI(path));
  const inside = relative(ROOT, file);
  if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return 'points outside the repository';
  if (!existsSync(file)) return `${inside} does not exist`;
  if (fragment === undefined) return null;
  if (statSync(file).isDirectory() || extname(file) !== '.md') return `#${fragment} on a file that is not Markdown`;
  if (!anchors(readFileSync(file, 'utf8')).has(decodeURIComponent(fragment))) return `${inside} has no heading #${fragment}`;
  return null;
}

describe('docs', () => {
  it(`README.md is at most ${README_LIMIT} bytes`, () => {
    expect(statSync(join(ROOT, 'README.md')).size).toBeLessThanOrEqual(README_LIMIT);
  });

  it('finds the links and headings it checks', () => {
    // Guards the parser itself: these links and anchors are known to be there.
    expect(links('README.md').map((l) => l.target)).toContain('docs/contract.md');
    expect(anchors(readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8'))).toContain('cache-status');
    expect(anchors('## `a(b?: C): D`\n```sh\n# not a heading\n```\n## x\n## x')).toEqual(new Set(['ab-c-d', 'x', 'x-1']));
  });

  it.each(pages)('%s has no dead relative link', (page) => {
    const dead = links(page)
      .map((link) => ({ link, why: problem(link) }))
      .filter(({ why }) => why !== null)
      .map(({ link, why }) => `${link.page}:${link.line}: (${link.target}) ${why}`);
    expect(dead).toEqual([]);
  });
});
