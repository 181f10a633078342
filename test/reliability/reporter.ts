// Collects the rows hardening specs record with reliability() (test annotations of type
// "reliability") together with each test's result, merges them into .results/reliability.json
// (git-ignored) and re-renders the table in docs/reliability.md. Every Playwright run that
// includes such a spec refreshes it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS = join(ROOT, '.results', 'reliability.json');

export interface Row {
  file: string;
  test: string;
  /** Position inside its file's run, to keep the table in test order. */
  order: number;
  fault: string;
  outcome: string;
  status: TestResult['status'];
}

interface Results {
  rows: Row[];
}

// A run narrowed to some tests (-g, file:line) only replaces the rows of the tests it ran.
function narrowed(): boolean {
  return process.argv.some((a) => a === '-g' || a.startsWith('--grep') || a === '--last-failed' || /\.ts:\d+/.test(a));
}

export default class ReliabilityReporter implements Reporter {
  private readonly rows: Row[] = [];
  private readonly ran = new Map<string, Set<string>>();
  private order = 0;
  private readonly silent: Array<{ file: string; title: string; result: TestResult }> = [];

  onTestEnd(test: TestCase, result: TestResult): void {
    const file = relative(ROOT, test.location.file);
    const title = test.titlePath().slice(3).join(' › ') || test.title;
    const notes = result.annotations.length > 0 ? result.annotations : test.annotations;
    const rows = notes.filter((a) => a.type === 'reliability' && a.description);
    if (rows.length === 0) {
      // A hardening test that failed before recording anything still shows in the table.
      if (result.status !== 'passed' && result.status !== 'skipped') this.silent.push({ file, title, result });
      return;
    }
    if (!this.ran.has(file)) this.ran.set(file, new Set());
    this.ran.get(file)!.add(title);
    for (const note of rows) {
      const { fault, outcome } = JSON.parse(note.description!) as { fault: string; outcome: string };
      this.rows.push({ file, test: title, order: this.order++, fault, outcome, status: result.status });
    }
  }

  async onEnd(_result: FullResult): Promise<void> {
    const previous: Results = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as Results) : { rows: [] };
    const hardening = new Set([...previous.rows.map((r) => r.file), ...this.ran.keys()]);
    for (const { file, title, result } of this.silent) {
      if (!hardening.has(file)) continue;
      // biome-ignore lint/suspicious/noControlCharactersInRegex: strips the ANSI colours Playwright puts in error messages
      const error = (result.error?.message ?? result.status).split('\n')[0]!.replace(/\u001b\[[0-9;]*m/g, '');
      if (!this.ran.has(file)) this.ran.set(file, new Set());
      this.ran.get(file)!.add(title);
      this.rows.push({
        file,
        test: title,
        order: this.order++,
        fault: title,
        outcome: `failed before recording an outcome: ${error}`,
        status: result.status,
      });
    }
    if (this.rows.length === 0) return;
    const partial = narrowed();
    // A whole-file run replaces the file's rows; a narrowed one only those of the tests it
    // ran, in their old place. Rows of files that no longer exist are dropped.
    const replaced = (r: Row) => (partial ? this.ran.get(r.file)?.has(r.test) : this.ran.has(r.file)) ?? false;
    const fresh = (r: Row) => this.rows.filter((n) => n.file === r.file && (partial ? n.test === r.test : true));
    const out: Row[] = [];
    const placed = new Set<Row>();
    for (const r of previous.rows) {
      if (!existsSync(join(ROOT, r.file))) continue;
      if (!replaced(r)) {
        out.push(r);
        continue;
      }
      for (const n of fresh(r)) {
        if (placed.has(n)) continue;
        placed.add(n);
        out.push(n);
      }
    }
    for (const n of this.rows) if (!placed.has(n)) out.push(n);
    // Stable: files in name order, rows of a file in test order.
    const rows = out.sort((a, b) => a.file.localeCompare(b.file)).map((r, i) => ({ ...r, order: i }));
    mkdirSync(dirname(RESULTS), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify({ rows }, null, 2)}\n`);
    const { render } = (await import(join(ROOT, 'scripts', 'render-reliability.mjs'))) as { render: () => boolean };
    try {
      render();
    } catch (error) {
      console.warn(String(error));
    }
  }

  printsToStdio(): boolean {
    return false;
  }
}
