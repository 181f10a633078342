// Every view against hostile manifests, indexes and configs: each field in turn given the
// wrong type, a huge array or a deep nesting, and bodies that are no objects at all. The
// registry's answers are made in the page (its fetch() answers /v2/library/fuzz/), so
// hundreds of cases run in one page through the app's own form. Each case must end in a
// view or in a sentence: never "something unexpected", a JavaScript error's name, or
// "[object Object]".
import { expect, openInspector, test } from './fixtures.js';

interface Outcome {
  name: string;
  problem: string;
}

test('hostile manifests, indexes and configs: every view renders or says why not', async ({ page, inspector }) => {
  test.setTimeout(900_000);
  const pageErrors: string[] = [];
  // Reported case by case, so that a run cut short still says what failed.
  const failures: Outcome[] = [];
  let ran = 0;
  await page.exposeFunction('fuzzReport', (outcome: Outcome | null) => {
    ran++;
    if (outcome) {
      failures.push(outcome);
      console.log(`fuzz: ${outcome.name}: ${outcome.problem.slice(0, 300)}`);
    }
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.text().startsWith('fuzz')) console.log(m.text());
  });
  await page.addInitScript(() => {
    const answers = new Map<string, { body: string; type: string }>();
    (window as unknown as { fuzzAnswers: typeof answers }).fuzzAnswers = answers;
    const real = window.fetch.bind(window);
    window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : String(input), location.href);
      const found = answers.get(url.pathname);
      if (!found) return real(input, init);
      return Promise.resolve(new Response(found.body, { status: 200, headers: { 'Content-Type': found.type } }));
    };
  });
  await openInspector(page, inspector.url);

  const total = await page.evaluate(async (): Promise<number> => {
    const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
    const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
    const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
    const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
    const answers = (window as unknown as { fuzzAnswers: Map<string, { body: string; type: string }> }).fuzzAnswers;
    const hex = async (text: string) =>
      [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))]
        .map((b) => b.toString(16).padStart(2, '0'))
        .join('');
    const digestOf = async (text: string) => `sha256:${await hex(text)}`;
    const zero = `sha256:${'0'.repeat(64)}`;

    // Deeper than JSON.stringify's stack, which gives out at a few thousand levels.
    const DEPTH = 20_000;
    const HOSTILE: Array<[string, string]> = [
      ['null', 'null'],
      ['negative', '-1'],
      ['true', 'true'],
      ['string', '"x"'],
      ['long string', JSON.stringify('A'.repeat(100_000))],
      ['empty array', '[]'],
      ['mixed array', '[1,"a",{},null,[2]]'],
      ['empty object', '{}'],
      ['nested object', '{"a":{"b":1},"c":[1,2]}'],
      ['deep arrays', `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`],
      ['deep objects', `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`],
    ];
    const huge = (item: string, n = 50_000) => `[${Array(n).fill(item).join(',')}]`;
    const hugeObject = (n = 50_000) => `{${Array.from({ length: n }, (_, i) => `"k${i}":"v${i}"`).join(',')}}`;

    const baseConfig = {
      created: '2024-01-01T00:00:00Z',
      author: 'someone',
      architecture: 'amd64',
      os: 'linux',
      variant: 'v2',
      config: {
        User: 'root',
        Env: ['PATH=/bin'],
        Entrypoint: ['/bin/sh'],
        Cmd: ['-c', 'true'],
        WorkingDir: '/',
        Labels: { 'org.example': 'x' },
        ExposedPorts: { '80/tcp': {} },
      },
      rootfs: { type: 'layers', diff_ids: [zero] },
      history: [{ created: '2024-01-01T00:00:00Z', created_by: 'RUN x', comment: 'c', empty_layer: false }],
    };
    const layer = { mediaType: LAYER, digest: zero, size: 10, annotations: { a: 'b' } };
    const baseManifest = (config: string, configDigest: string) => ({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
      layers: [layer],
      annotations: { 'org.example': 'x' },
    });
    const baseIndex = {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest: zero,
          size: 10,
          platform: { os: 'linux', architecture: 'amd64', variant: 'v2', 'os.version': '1' },
        },
        {
          mediaType: OCI_MANIFEST,
          digest: zero,
          size: 10,
          annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': zero },
        },
      ],
      annotations: { 'org.example': 'x' },
    };
    // The object as JSON, with the value at `path` replaced by raw JSON text.
    const PLACEHOLDER = '"__hostile_value__"';
    function mutate(base: unknown, path: Array<string | number>, raw: string): string {
      const copy = structuredClone(base) as Record<string | number, unknown>;
      let at: Record<string | number, unknown> = copy;
      for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
      at[path.at(-1)!] = '__hostile_value__';
      return JSON.stringify(copy).replace(PLACEHOLDER, () => raw);
    }

    interface Case {
      name: string;
      manifest: string;
      type: string;
      config?: string;
    }
    const cases: Case[] = [];
    const goodConfig = JSON.stringify(baseConfig);
    const goodConfigDigest = await digestOf(goodConfig);
    const configPaths: Array<Array<string | number>> = [
      ['created'],
      ['author'],
      ['architecture'],
      ['os'],
      ['variant'],
      ['config'],
      ['config', 'User'],
      ['config', 'Env'],
      ['config', 'Env', 0],
      ['config', 'Entrypoint'],
      ['config', 'Cmd'],
      ['config', 'WorkingDir'],
      ['config', 'Labels'],
      ['config', 'Labels', 'org.example'],
      ['config', 'ExposedPorts'],
      ['history'],
      ['history', 0],
      ['history', 0, 'created'],
      ['history', 0, 'created_by'],
      ['history', 0, 'comment'],
      ['history', 0, 'empty_layer'],
      ['rootfs'],
    ];
    const manifestPaths: Array<Array<string | number>> = [
      ['mediaType'],
      ['config'],
      ['config', 'digest'],
      ['config', 'size'],
      ['config', 'mediaType'],
      ['layers'],
      ['layers', 0],
      ['layers', 0, 'digest'],
      ['layers', 0, 'size'],
      ['layers', 0, 'mediaType'],
      ['layers', 0, 'annotations'],
      ['annotations'],
      ['annotations', 'org.example'],
    ];
    const indexPaths: Array<Array<string | number>> = [
      ['mediaType'],
      ['manifests'],
      ['manifests', 0],
      ['manifests', 0, 'digest'],
      ['manifests', 0, 'size'],
      ['manifests', 0, 'mediaType'],
      ['manifests', 0, 'platform'],
      ['manifests', 0, 'platform', 'os'],
      ['manifests', 0, 'platform', 'architecture'],
      ['manifests', 0, 'platform', 'variant'],
      ['manifests', 0, 'platform', 'os.version'],
      ['manifests', 1, 'annotations'],
      ['manifests', 1, 'annotations', 'vnd.docker.reference.type'],
      ['manifests', 1, 'annotations', 'vnd.docker.reference.digest'],
      ['annotations'],
      ['annotations', 'org.example'],
    ];
    for (const path of configPaths) {
      for (const [label, raw] of HOSTILE) {
        const config = mutate(baseConfig, path, raw);
        cases.push({
          name: `config ${path.join('.')} = ${label}`,
          manifest: JSON.stringify(baseManifest(config, await digestOf(config))),
          type: OCI_MANIFEST,
          config,
        });
      }
    }
    for (const path of manifestPaths) {
      for (const [label, raw] of HOSTILE) {
        cases.push({
          name: `manifest ${path.join('.')} = ${label}`,
          manifest: mutate(baseManifest(goodConfig, goodConfigDigest), path, raw),
          type: OCI_MANIFEST,
          config: goodConfig,
        });
      }
    }
    for (const path of indexPaths) {
      for (const [label, raw] of HOSTILE)
        cases.push({ name: `index ${path.join('.')} = ${label}`, manifest: mutate(baseIndex, path, raw), type: OCI_INDEX });
    }
    for (const [label, raw] of HOSTILE) {
      cases.push({ name: `manifest body = ${label}`, manifest: raw, type: OCI_MANIFEST });
      cases.push({ name: `index body = ${label}`, manifest: raw, type: OCI_INDEX });
      cases.push({
        name: `config body = ${label}`,
        manifest: JSON.stringify(baseManifest(raw, await digestOf(raw))),
        type: OCI_MANIFEST,
        config: raw,
      });
    }
    // Huge arrays and objects where a registry would put many of something.
    const hugeConfig = (path: Array<string | number>, raw: string) => mutate(baseConfig, path, raw);
    for (const [name, config] of [
      ['config.Env huge', hugeConfig(['config', 'Env'], huge('"A=1"'))],
      ['config.Labels huge', hugeConfig(['config', 'Labels'], hugeObject())],
      ['history huge', hugeConfig(['history'], huge('{"created_by":"RUN x"}'))],
    ] as const) {
      cases.push({ name, manifest: JSON.stringify(baseManifest(config, await digestOf(config))), type: OCI_MANIFEST, config });
    }
    cases.push({
      name: 'layers huge',
      manifest: mutate(baseManifest(goodConfig, goodConfigDigest), ['layers'], huge(JSON.stringify(layer))),
      type: OCI_MANIFEST,
      config: goodConfig,
    });
    cases.push({
      name: 'manifest annotations huge',
      manifest: mutate(baseManifest(goodConfig, goodConfigDigest), ['annotations'], hugeObject()),
      type: OCI_MANIFEST,
      config: goodConfig,
    });
    cases.push({
      name: 'index manifests huge',
      manifest: mutate(baseIndex, ['manifests'], huge(JSON.stringify(baseIndex.manifests[0]))),
      type: OCI_INDEX,
    });

    const form = document.querySelector<HTMLFormElement>('#lookup')!;
    const input = document.querySelector<HTMLInputElement>('#ref')!;
    const view = document.querySelector<HTMLElement>('#view')!;
    const settled = () => !view.hasAttribute('aria-busy') && !view.querySelector('[aria-busy="true"]');
    const JS_ERROR =
      /TypeError|RangeError|ReferenceError|SyntaxError|is not a function|is not iterable|Cannot read prop|\[object Object\]|undefined is not/;
    const report = (window as unknown as { fuzzReport(o: Outcome | null): Promise<void> }).fuzzReport;
    for (const [i, c] of cases.entries()) {
      answers.clear();
      // The configs the page keeps offline would pile up case after case, and the cache
      // panel lists them after every view: keep the page as a person would have it.
      await caches.delete('regcache-inspector-configs');
      const tag = `c${i}`;
      answers.set(`/v2/library/fuzz/manifests/${tag}`, { body: c.manifest, type: c.type });
      if (c.config !== undefined) answers.set(`/v2/library/fuzz/blobs/${await digestOf(c.config)}`, { body: c.config, type: OCI_CONFIG });
      input.value = `fuzz:${tag}`;
      const started = performance.now();
      form.requestSubmit();
      // Generous: the machine may be busy. A view that hangs is what this catches.
      while (!settled() && performance.now() - started < 30_000) await new Promise((r) => setTimeout(r, 5));
      const took = performance.now() - started;
      const text = view.textContent ?? '';
      let problem = '';
      if (!settled()) problem = 'never settled';
      else if (view.querySelector('[data-problem="unexpected"]')) problem = `unexpected: ${text.slice(0, 200)}`;
      else if (!view.querySelector('[data-view], [data-problem]')) problem = 'neither a view nor a problem';
      else if (JS_ERROR.test(text))
        problem = `shows ${JS_ERROR.exec(text)?.[0]}: ${text.slice(Math.max(0, text.search(JS_ERROR) - 100), text.search(JS_ERROR) + 100)}`;
      if (!problem && took > 3000) console.log(`fuzz (slow, ${Math.round(took)} ms): ${c.name}`);
      await report(problem ? { name: c.name, problem } : null);
    }
    return cases.length;
  });
  expect(ran).toBe(total);
  expect(failures).toEqual([]);
  expect(pageErrors).toEqual([]);
});
