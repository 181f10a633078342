// regcache/playwright as another team uses it: test/consumers/c-playwright, a Playwright suite
// whose app reads manifests from a real registry, installed with regcache from `npm pack`,
// run as its own `playwright test` three times (record, replay, hermetic replay) and with two
// workers writing one bundle. Upstream requests are counted at the proxy in front of the
// registry, outside the browser. `npm run build` has run; the npm registry must be reachable.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../playwright.config.js';
import { pushImage } from '../../servers/images.js';
import { type Env, expect, ROOT, test, uniqueRepo } from '../support/fixtures.js';

const SETUP_TIMEOUT = 300_000;

// npm's own npm_* variables would point a nested npm or Playwright at this repo.
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_(?!config_(cache|registry|userconfig)$)|PW_|PLAYWRIGHT_|TEST_)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

function run(cmd: string, args: string[], cwd: string, extra: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env: cleanEnv(extra), maxBuffer: 64 * 1024 * 1024, timeout: SETUP_TIMEOUT }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: `${stdout}\n${stderr}` });
    });
  });
}

async function must(cmd: string, args: string[], cwd: string): Promise<string> {
  const { code, out } = await run(cmd, args, cwd);
  if (code !== 0) throw new Error(`\`${cmd} ${args.join(' ')}\` in ${cwd} failed (${code}):\n${out}`);
  return out;
}

let installed: Promise<{ tmp: string; dir: string }> | undefined;

// The consumer, with regcache installed from the packed tarball.
function install(): Promise<{ tmp: string; dir: string }> {
  installed ??= (async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'regcache-playwright-'));
    const packed = JSON.parse(await must('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], ROOT)) as Array<{
      filename: string;
    }>;
    const dir = join(tmp, 'c-playwright');
    await cp(join(ROOT, 'test', 'consumers', 'c-playwright'), dir, { recursive: true });
    await must('npm', ['install', join(tmp, packed[0]!.filename), '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir);
    return { tmp, dir };
  })();
  return installed;
}

test.afterAll(async () => {
  if (installed) await rm((await installed).tmp, { recursive: true, force: true });
});

interface SuiteResult {
  code: number;
  out: string;
  /** Per test title: passed or not, its errors, and its regcache attachment. */
  tests: Map<
    string,
    {
      ok: boolean;
      errors: string;
      report: { upstreamGets: number; upstreamHeads: number; hits: number; misses: number; notFound: string[] };
    }
  >;
}

interface JsonReport {
  suites: Array<{
    suites?: JsonReport['suites'];
    specs: Array<{
      title: string;
      tests: Array<{
        results: Array<{ status: string; errors: Array<{ message?: string }>; attachments: Array<{ name: string; body?: string }> }>;
      }>;
    }>;
  }>;
}

async function runSuite(env: Env, dir: string, vars: Record<string, string>): Promise<SuiteResult> {
  const report = join(dir, `report-${Date.now()}.json`);
  const { code, out } = await run(process.execPath, [join(dir, 'node_modules', '@playwright', 'test', 'cli.js'), 'test'], dir, {
    APP_ORIGIN: env.pageOrigin,
    REGISTRY: env.proxy.url,
    CHROMIUM_PATH,
    CHROMIUM_ARGS: CHROMIUM_ARGS.join(' '),
    REPORT: report,
    ...vars,
  });
  const json = JSON.parse(await readFile(report, 'utf8').catch(() => '{"suites":[]}')) as JsonReport;
  const tests: SuiteResult['tests'] = new Map();
  const walk = (suites: JsonReport['suites']) => {
    for (const suite of suites) {
      walk(suite.suites ?? []);
      for (const spec of suite.specs) {
        const result = spec.tests[0]!.results[0]!;
        const attachment = result.attachments.find((a) => a.name === 'regcache');
        tests.set(spec.title, {
          ok: result.status === 'passed',
          errors: result.errors.map((e) => e.message ?? '').join('\n'),
          report: JSON.parse(Buffer.from(attachment?.body ?? 'e30=', 'base64').toString()),
        });
      }
    }
  };
  walk(json.suites);
  return { code, out, tests };
}

const manifestGets = (env: Env) => env.proxy.count({ method: 'GET', path: /\/manifests\// });
const manifestHeads = (env: Env) => env.proxy.count({ method: 'HEAD', path: /\/manifests\// });

test.describe('regcache/playwright from the packed tarball', () => {
  test.describe.configure({ timeout: SETUP_TIMEOUT * 2 });

  test('record, replay, hermetic replay: the bundle answers what was recorded and names what was not', async ({ env }) => {
    const { dir } = await install();
    const [r1, r2, r3] = [uniqueRepo('pw-a'), uniqueRepo('pw-b'), uniqueRepo('pw-c')];
    const [a, b] = await Promise.all([pushImage(env.registry.url, r1, 'v1', 'oci'), pushImage(env.registry.url, r2, 'v1', 'oci-index')]);
    await pushImage(env.registry.url, r3, 'v1', 'oci');
    const bundle = join(dir, 'record.bundle.json');
    const refs = [`${r1}:v1`, `${r1}@${a.digest}`, `${r2}:v1`, `${r2}@${b.digest}`].join(',');

    // First run: every manifest comes from upstream and is recorded.
    env.proxy.reset();
    const first = await runSuite(env, dir, { BUNDLE: bundle, UPDATE: '1', REFS: refs });
    expect(first.code, first.out).toBe(0);
    expect(manifestGets(env)).toBe(4);
    expect([...first.tests.values()].reduce((n, t) => n + t.report.upstreamGets, 0)).toBe(4);
    const recorded = JSON.parse(await readFile(bundle, 'utf8'));
    expect(recorded.manifests.map((m: { digest: string }) => m.digest).sort()).toEqual([a.digest, b.digest].sort());

    // Second run, from the bundle: no manifest GET upstream; tags are re-checked with HEADs.
    env.proxy.reset();
    const second = await runSuite(env, dir, { BUNDLE: bundle, REFS: refs });
    expect(second.code, second.out).toBe(0);
    expect(manifestGets(env)).toBe(0);
    expect(manifestHeads(env)).toBe(2);
    expect(second.tests.get(`shows ${r1}:v1`)!.report).toMatchObject({ upstreamGets: 0, upstreamHeads: 1, hits: 1, misses: 0 });

    // Inside `fresh`, not even a HEAD.
    env.proxy.reset();
    const fresh = await runSuite(env, dir, { BUNDLE: bundle, REFS: refs, FRESH: '86400' });
    expect(fresh.code, fresh.out).toBe(0);
    expect(manifestGets(env) + manifestHeads(env)).toBe(0);

    // Upstream cut, hermetic: the recorded references pass, the unrecorded one fails naming itself,
    // and no manifest request reaches the proxy.
    env.proxy.offline(true);
    env.proxy.reset();
    const hermetic = await runSuite(env, dir, { BUNDLE: bundle, REFS: `${refs},${r3}:v1`, NOT_FOUND: 'abort' });
    expect(hermetic.code).not.toBe(0);
    for (const ref of refs.split(','))
      expect(hermetic.tests.get(`shows ${ref}`)?.ok, `${ref}: ${hermetic.tests.get(`shows ${ref}`)?.errors}`).toBe(true);
    const unrecorded = hermetic.tests.get(`shows ${r3}:v1`)!;
    expect(unrecorded.ok).toBe(false);
    expect(unrecorded.errors).toContain(`regcache: the bundle has no answer for ${new URL(env.proxy.url).host}/${r3}:v1`);
    expect(unrecorded.report.notFound).toEqual([`${new URL(env.proxy.url).host}/${r3}:v1`]);
    expect(env.proxy.count({ path: /\/manifests\// })).toBe(0);
    // A hermetic run writes nothing: the bundle is as recorded.
    expect(JSON.parse(await readFile(bundle, 'utf8'))).toEqual(recorded);
  });

  test('two Playwright workers merge into one bundle: no record lost, no corrupt file', async ({ env }) => {
    const { dir } = await install();
    const repos = Array.from({ length: 6 }, (_, i) => uniqueRepo(`pw-par${i}`));
    const images = await Promise.all(repos.map((r) => pushImage(env.registry.url, r, 'v1', 'oci')));
    const bundle = join(dir, 'parallel.bundle.json');
    // Twice: the second run merges into the file the first wrote.
    for (const half of [repos.slice(0, 3), repos.slice(3)]) {
      const result = await runSuite(env, dir, { BUNDLE: bundle, UPDATE: '1', WORKERS: '2', REFS: half.map((r) => `${r}:v1`).join(',') });
      expect(result.code, result.out).toBe(0);
    }
    const merged = JSON.parse(await readFile(bundle, 'utf8'));
    expect(merged.manifests.map((m: { digest: string }) => m.digest).sort()).toEqual(images.map((i) => i.digest).sort());
    expect(merged.tags.map((t: { repository: string }) => t.repository).sort()).toEqual([...repos].sort());
    await expect(stat(`${bundle}.lock`)).rejects.toThrow(/ENOENT/);
  });
});
