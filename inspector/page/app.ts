// The inspector: reads a reference, fetches its manifest through regcache, and shows an
// index, a manifest or a problem; keeps the URL (?ref=) in step so that links and
// back/forward work.

import type { Entry } from '../../src/client/index.js';
import { createClient, type RegcacheClient } from '../../src/client/index.js';
import { isValidName, isValidTag } from '../../src/core/oci/grammar.js';
import { isIndexType } from '../../src/core/oci/media-types.js';
import type { ImageConfig, ImageManifest } from '../../src/core/oci/types.js';
import { type InspectorConfig, originFor, readConfig } from './config.js';
import { ConfigStore } from './config-store.js';
import { h, replaceChildren } from './dom.js';
import { loadConfig } from './image-config.js';
import { ImageSummaries } from './image-summary.js';
import { type Listing, listAll, suggestions } from './listing.js';
import { RegistryProblem } from './problems.js';
import { recent, remember } from './recent.js';
import {
  DEFAULT_DOMAIN,
  familiarName,
  familiarString,
  type ImageReference,
  ImageReferenceError,
  manifestReference,
  parseReference,
} from './reference.js';
import { RegistryClient } from './registry-client.js';
import { isRecord, list, looksLikeDigest, record, text } from './untrusted.js';
import { catalogView, didYouMean, noCatalogView, tagsView } from './views/browser-view.js';
import { CachePanel, type ViewAnswer } from './views/cache-panel.js';
import { type ComparedImage, compareForm, compareView } from './views/compare-view.js';
import { renderConfig, renderConfigProblem } from './views/config-view.js';
import { indexView } from './views/index-view.js';
import { descriptorOf, layersOf, manifestView } from './views/manifest-view.js';
import { offlineMark, storedOf } from './views/offline-marks.js';
import { openLayoutForm } from './views/open-layout.js';
import { isAttestation, platformLabel } from './views/platform.js';
import { pullCommands, pullName } from './views/pull-commands.js';
import { TagMoves } from './views/tag-moves.js';
import type { WorkerState } from './worker.js';

// Kept in history.state when a platform is opened from an index.
interface NavState {
  parent?: { ref: string; platform: string };
}

export interface AppElements {
  form: HTMLFormElement;
  home: HTMLAnchorElement;
  input: HTMLInputElement;
  inputError: HTMLElement;
  upstreamLabel: HTMLElement;
  samples: HTMLElement;
  online: HTMLElement;
  view: HTMLElement;
  panel: HTMLElement;
}

export class InspectorApp {
  private readonly config: InspectorConfig = readConfig();
  private readonly clients = new Map<string, RegistryClient>();
  private readonly configs = new ConfigStore();
  private readonly summaries = new ImageSummaries(this.configs);
  private readonly regcache: RegcacheClient | null;
  private readonly panel: CachePanel;
  private readonly tagMoves: TagMoves;
  private loads = 0;

  constructor(
    private readonly el: AppElements,
    worker: WorkerState,
  ) {
    this.regcache = worker.ok ? createClient({ timeout: 10_000 }) : null;
    this.tagMoves = new TagMoves(this.regcache);
    this.panel = new CachePanel(
      el.panel,
      this.regcache,
      this.configs,
      () => this.markOutdated(),
      worker.ok ? undefined : worker.reason,
      (entry, label) => this.entryLink(entry, label),
    );
  }

  start(): void {
    const { el } = this;
    el.upstreamLabel.textContent = this.config.label;
    el.samples.hidden =
      this.config.upstream !== location.origin || this.config.registryHost !== null || this.config.registryId !== 'embedded';
    if (this.config.problem) {
      this.refuseUpstream(this.config.problem);
      return;
    }
    if (this.config.fromQuery) {
      this.sayWhoChose();
      el.home.href = `./inspector.html?${new URLSearchParams({ upstream: this.config.upstream }).toString()}`;
    }
    // Importing needs regcache's worker: without it there is no store to import into.
    if (this.regcache)
      el.form
        .closest('search')
        ?.after(
          openLayoutForm(this.config.upstream, this.config.registryId ?? 'unknown', this.configs, (kind, upstream, repository, reference) =>
            this.entryLink({ kind, upstream, repository, reference, digest: '' } as Entry, document.createTextNode(reference)),
          ),
        );
    el.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit(el.input.value);
    });
    el.input.addEventListener('input', () => this.showInputError(null));
    // Sample links and platform links are plain links; they are followed in the page.
    document.addEventListener('click', (event) => {
      const browse = (event.target as Element | null)?.closest?.('a[data-browse]');
      if (
        browse &&
        !event.defaultPrevented &&
        (event as MouseEvent).button === 0 &&
        !(event as MouseEvent).metaKey &&
        !(event as MouseEvent).ctrlKey &&
        !(event as MouseEvent).shiftKey
      ) {
        event.preventDefault();
        const name = browse.getAttribute('data-browse') ?? '';
        history.pushState({}, '', this.browseUrl(name));
        this.el.input.value = '';
        void this.browse(name, true);
        return;
      }
      const link = (event.target as Element | null)?.closest?.('a[data-ref]');
      const ref = link?.getAttribute('data-ref');
      if (
        !link ||
        !ref ||
        event.defaultPrevented ||
        (event as MouseEvent).button !== 0 ||
        (event as MouseEvent).metaKey ||
        (event as MouseEvent).ctrlKey ||
        (event as MouseEvent).shiftKey
      )
        return;
      event.preventDefault();
      const parent = link.getAttribute('data-parent');
      const state: NavState = parent ? { parent: { ref: parent, platform: link.getAttribute('data-platform-label') ?? '' } } : {};
      this.submit(ref, state);
    });
    window.addEventListener('popstate', () => this.fromLocation());
    const onlineChanged = () => {
      el.online.textContent = navigator.onLine ? 'Online' : 'Offline';
      el.online.dataset.online = String(navigator.onLine);
    };
    window.addEventListener('online', onlineChanged);
    window.addEventListener('offline', onlineChanged);
    onlineChanged();
    this.regcache?.onEvent(() => void this.panel.refresh());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void this.panel.refresh();
    });
    this.fromLocation();
  }

  // ?upstream= named no registry: the page says so and asks nothing at all.
  private refuseUpstream(problem: string): void {
    for (const control of this.el.form.querySelectorAll<HTMLInputElement | HTMLButtonElement>('input, button')) control.disabled = true;
    replaceChildren(
      this.el.view,
      h(
        'div',
        { class: 'problem-view', role: 'alert', 'data-problem': 'upstream' },
        h('h2', { tabindex: -1 }, 'The link names no registry'),
        h('p', {}, `The link that opened this page chose the registry (?upstream=), but ${problem}.`),
        h('p', {}, h('a', { href: './inspector.html' }, 'Open the inspector without it')),
      ),
    );
  }

  private fromLocation(): void {
    const query = new URLSearchParams(location.search);
    const browse = query.get('browse');
    if (browse !== null && !query.get('ref')) {
      this.el.input.value = '';
      this.showInputError(null);
      void this.browse(browse, false);
      return;
    }
    const text = query.get('ref');
    const compare = query.get('compare');
    if (text && compare !== null) {
      this.el.input.value = text;
      try {
        const [a, b] = [parseReference(text), parseReference(compare)];
        this.showInputError(null);
        void this.compare(a, b, false);
      } catch (error) {
        this.showInputError(error);
        this.welcome();
      }
      return;
    }
    if (!text) {
      this.el.input.value = '';
      this.showInputError(null);
      this.welcome();
      return;
    }
    this.el.input.value = text;
    try {
      const ref = parseReference(text);
      this.showInputError(null);
      void this.load(ref, (history.state as NavState | null) ?? {}, false);
    } catch (error) {
      this.showInputError(error);
      this.welcome();
    }
  }

  private submit(text: string, state: NavState = {}): void {
    let ref: ImageReference;
    try {
      ref = parseReference(text);
    } catch (error) {
      this.showInputError(error);
      this.el.input.focus();
      return;
    }
    this.showInputError(null);
    this.el.input.value = familiarString(ref);
    history.pushState(state, '', this.urlFor(ref));
    void this.load(ref, state, true);
  }

  urlFor(ref: ImageReference): string {
    const params = new URLSearchParams();
    if (this.config.fromQuery) params.set('upstream', this.config.upstream);
    params.set('ref', familiarString(ref));
    return `${location.pathname}?${params.toString()}`;
  }

  /** The page's URL comparing two references: `?ref=…&compare=…`. */
  compareUrl(a: ImageReference, b: ImageReference): string {
    const params = new URLSearchParams();
    if (this.config.fromQuery) params.set('upstream', this.config.upstream);
    params.set('ref', familiarString(a));
    params.set('compare', familiarString(b));
    return `${location.pathname}?${params.toString()}`;
  }

  private compareFormFor(ref: ImageReference): HTMLElement {
    return compareForm((input) => {
      let other: ImageReference;
      try {
        other = parseReference(input);
      } catch (error) {
        return `That is not an image reference: ${error instanceof ImageReferenceError ? error.message : String(error)}.`;
      }
      history.pushState({}, '', this.compareUrl(ref, other));
      void this.compare(ref, other, true);
      return null;
    });
  }

  // One side of a comparison: an image manifest, chosen from an index by platform when the
  // reference is one (the platform wanted, else linux/amd64, else the first).
  private async comparedImage(ref: ImageReference, wanted: string | null): Promise<ComparedImage> {
    const client = this.clientFor(ref);
    let answer = await client.manifest(ref.path, manifestReference(ref));
    let platform: string | null = null;
    if (isIndexType(answer.mediaType)) {
      const children = list(record(answer.json).manifests).filter(
        (d): d is Record<string, unknown> & { digest: string } => isRecord(d) && looksLikeDigest(d.digest) && !isAttestation(d),
      );
      const labelled = children.map((d) => ({ d, label: platformLabel(d.platform as never) }));
      const chosen = labelled.find((c) => c.label === wanted) ?? labelled.find((c) => c.label === 'linux/amd64') ?? labelled[0];
      if (!chosen) throw new RegistryProblem('invalid', `${familiarString(ref)} is an index without platforms to compare.`);
      platform = chosen.label;
      answer = await client.manifest(ref.path, chosen.d.digest);
    }
    const manifest = answer.json as Partial<ImageManifest>;
    const descriptor = descriptorOf(record(manifest).config);
    let config: unknown = null;
    let configProblem: string | null = null;
    if (descriptor && looksLikeDigest(descriptor.digest)) {
      try {
        config = (await loadConfig(client, this.configs, ref.path, descriptor)).json;
      } catch (error) {
        configProblem = error instanceof RegistryProblem ? error.message : String(error);
      }
    } else configProblem = 'This manifest names no config.';
    return { title: familiarString(ref), platform, digest: answer.digest, layers: layersOf(manifest), config, configProblem };
  }

  private async compare(a: ImageReference, b: ImageReference, moveFocus: boolean): Promise<void> {
    const title = `${familiarString(a)} compared with ${familiarString(b)}`;
    const load = this.beginLoad(title, `Loading ${familiarString(a)} and ${familiarString(b)}…`);
    try {
      const left = await this.comparedImage(a, null);
      const right = await this.comparedImage(b, left.platform);
      if (load !== this.loads) return;
      this.show(compareView(left, right, [this.refLink(a, left.title), this.refLink(b, right.title)]), moveFocus);
    } catch (error) {
      if (load === this.loads) this.showProblem(title, error);
    } finally {
      this.endLoad(load);
    }
  }

  /** The page's URL for the browser: `?browse=` for the catalog, `?browse=<repository>` for its tags. */
  browseUrl(name: string): string {
    const params = new URLSearchParams();
    if (this.config.fromQuery) params.set('upstream', this.config.upstream);
    params.set('browse', name);
    return `${location.pathname}?${params.toString()}`;
  }

  private browseLink(name: string, label: string): HTMLAnchorElement {
    return h('a', { href: this.browseUrl(name), 'data-browse': name }, label);
  }

  private refLink(ref: ImageReference, label: string): HTMLAnchorElement {
    return h('a', { href: this.urlFor(ref), 'data-ref': familiarString(ref) }, label);
  }

  // The registry browser (views/browser-view.ts): the catalog, or one repository's tags.
  private async browse(name: string, moveFocus: boolean): Promise<void> {
    const load = ++this.loads;
    this.panel.showAnswers([]);
    let repository: ImageReference | null = null;
    if (name !== '') {
      try {
        const { tag: _tag, digest: _digest, ...parsed } = parseReference(name);
        repository = parsed;
      } catch (error) {
        this.showInputError(error);
        this.welcome();
        return;
      }
    }
    const client = repository ? this.clientFor(repository) : this.clientForOrigin(this.config.upstream);
    const title = repository ? `Tags of ${familiarName(repository)}` : `Repositories on ${client.host}`;
    this.beginLoad(title, `Loading ${title.toLowerCase()}…`, load);
    try {
      if (!repository) {
        let view: HTMLElement;
        try {
          const listing = await this.listOrStored(client, null);
          view = catalogView(client.host, listing, {
            repository: (path) => this.browseLink(familiarName({ domain: DEFAULT_DOMAIN, explicitDomain: false, path }), path),
            tag: () => h('a', {}),
          });
        } catch (error) {
          view = noCatalogView(client.host, error);
        }
        if (load === this.loads) this.show(view, moveFocus);
        return;
      }
      const repo = repository;
      const listing: Listing = await this.listOrStored(client, repo.path);
      const stored = storedOf(await this.storedEntries(), client.origin, repo.path);
      if (load !== this.loads) return;
      const view = tagsView(
        familiarName(repo),
        client.host,
        listing,
        {
          repository: (path) => this.browseLink(path, path),
          tag: (tag) => this.refLink({ ...repo, tag }, tag),
          catalog: client.origin === this.config.upstream ? this.browseLink('', `Repositories on ${client.host}`) : null,
        },
        (tag) => this.summaries.of(client, repo.path, tag),
        (tag, row) => {
          if (stored.tags.has(tag)) row.querySelector('th')?.append(' ', offlineMark(stored.tags.get(tag) ?? null));
        },
      );
      if (listing.offline) view.append(this.storedDigests(repo, stored.digests));
      this.show(view, moveFocus);
    } catch (error) {
      if (load === this.loads) this.showProblem(title, error);
    } finally {
      this.endLoad(load);
    }
  }

  // A stored record as a link to its view, when it names a valid reference.
  private entryLink(e: Entry, label: Node): HTMLAnchorElement | null {
    if (!isValidName(e.repository) || !(e.kind === 'tag' ? isValidTag(e.reference) : looksLikeDigest(e.reference))) return null;
    let host: string;
    try {
      host = new URL(e.upstream).host;
    } catch {
      return null;
    }
    const own = e.upstream === this.config.upstream;
    const ref: ImageReference = { domain: own ? DEFAULT_DOMAIN : host, explicitDomain: !own, path: e.repository };
    if (e.kind === 'tag') ref.tag = e.reference;
    else ref.digest = e.reference;
    const link = h('a', { href: this.urlFor(ref), 'data-ref': familiarString(ref) });
    link.append(label);
    return link;
  }

  private async storedEntries(): Promise<Entry[]> {
    return (await this.regcache?.entries().catch(() => [])) ?? [];
  }

  // Platforms of an index that regcache holds carry a mark.
  private async markPlatforms(origin: string, path: string, view: HTMLElement): Promise<void> {
    const { digests } = storedOf(await this.storedEntries(), origin, path);
    for (const row of view.querySelectorAll<HTMLElement>('tr[data-digest]')) {
      const digest = row.dataset.digest ?? '';
      if (digests.has(digest) && !row.querySelector('.offline-mark'))
        row.querySelector('th')?.append(' ', offlineMark(digests.get(digest) ?? null));
    }
  }

  // docker pull, by tag and by digest, with the host a person would type for this registry:
  // the one the upstream stands for, or this page's own (the embedded registry).
  private pullCommandsFor(ref: ImageReference, digest: string): HTMLElement {
    const host = originFor(ref, this.config) === this.config.upstream ? (this.config.registryHost ?? location.host) : ref.domain;
    return pullCommands(
      pullName(host, ref.path),
      ref.digest === undefined ? ref.tag : undefined,
      looksLikeDigest(digest) ? digest : undefined,
    );
  }

  // A listing from the registry; offline, or when the registry cannot be reached, what
  // regcache holds for it instead, said as such.
  private async listOrStored(client: RegistryClient, repository: string | null): Promise<Listing> {
    try {
      return await listAll(client, repository === null ? 'catalog' : 'tags', repository);
    } catch (error) {
      const unreachable = error instanceof RegistryProblem && (error.kind === 'offline' || error.kind === 'network');
      if (!unreachable && navigator.onLine) throw error;
      const stored = storedOf(await this.storedEntries(), client.origin, repository);
      const names = repository === null ? stored.repositories : [...stored.tags.keys()];
      if (names.length === 0 && stored.digests.size === 0) throw error;
      return { kind: repository === null ? 'catalog' : 'tags', repository, names, rejected: 0, stopped: null, pages: 0, offline: true };
    }
  }

  private storedDigests(repo: ImageReference, digests: Map<string, number | null>): HTMLElement {
    return h(
      'section',
      { class: 'stored-digests' },
      h('h3', {}, 'Manifests stored by digest'),
      h(
        'ul',
        {},
        ...[...digests].map(([digest, expiresAt]) => {
          const { tag: _tag, ...pinned } = repo;
          return h('li', { 'data-digest': digest }, this.refLink({ ...pinned, digest }, digest), ' ', offlineMark(expiresAt));
        }),
      ),
    );
  }

  // Under a tag or repository that does not exist: the closest names the registry lists.
  private async suggest(ref: ImageReference, problem: RegistryProblem, slot: HTMLElement): Promise<void> {
    if (problem.kind !== 'not-found' || ref.digest !== undefined) return;
    const client = this.clientFor(ref);
    let links: HTMLAnchorElement[] = [];
    try {
      const tags = await listAll(client, 'tags', ref.path);
      links = suggestions(ref.tag ?? 'latest', tags.names).map((tag) => this.refLink({ ...ref, tag }, tag));
    } catch {
      // No such repository: the closest repositories the registry lists, if it lists them.
      try {
        if (client.origin !== this.config.upstream) return;
        const catalog = await listAll(client, 'catalog');
        // Compared as people type them: library/ left out.
        const byName = new Map(catalog.names.map((path) => [familiarName({ domain: DEFAULT_DOMAIN, explicitDomain: false, path }), path]));
        links = suggestions(familiarName(ref), [...byName.keys()]).map((name) => {
          const other: ImageReference = {
            domain: DEFAULT_DOMAIN,
            explicitDomain: false,
            path: byName.get(name) ?? name,
            tag: ref.tag ?? 'latest',
          };
          return this.refLink(other, familiarString(other));
        });
      } catch {
        return;
      }
    }
    const said = didYouMean(links);
    if (said) slot.append(said);
    if (client.origin === this.config.upstream)
      slot.append(
        h(
          'p',
          {},
          this.browseLink(ref.explicitDomain ? `${ref.domain}/${ref.path}` : familiarName(ref), `All tags of ${familiarName(ref)}`),
        ),
      );
  }

  private showInputError(error: unknown): void {
    const { input, inputError } = this.el;
    if (!error) {
      inputError.hidden = true;
      inputError.textContent = '';
      input.removeAttribute('aria-invalid');
      return;
    }
    const message = error instanceof ImageReferenceError ? error.message : String(error);
    inputError.textContent = `That is not an image reference: ${message}.`;
    inputError.hidden = false;
    input.setAttribute('aria-invalid', 'true');
  }

  // A link chose the registry (?upstream=): whoever sent it chose what this page shows and
  // which registry it asks, so the page says which before it asks anything.
  private sayWhoChose(): void {
    const note = h(
      'p',
      { class: 'chosen-registry', role: 'note', 'data-chosen-registry': this.config.registryHost ?? '' },
      'The link that opened this page chose the registry: ',
      h('strong', {}, this.config.registryHost ?? this.config.upstream),
      '. Everything below comes from it, not from this page’s own server.',
    );
    (this.el.form.closest('search') ?? this.el.form).before(note);
  }

  private clientFor(ref: ImageReference): RegistryClient {
    return this.clientForOrigin(originFor(ref, this.config));
  }

  private clientForOrigin(origin: string): RegistryClient {
    let client = this.clients.get(origin);
    if (!client) {
      // Sentences name the registry, not how it is reached.
      const label = origin === this.config.upstream ? (this.config.registryHost ?? this.config.label) : new URL(origin).host;
      const own = origin === location.origin;
      // Proxy mode is a hint only where a server of ours said it is here.
      const hint = own ? null : this.config.registryId !== null ? 'proxy' : 'cors';
      client = new RegistryClient(origin, label, hint, own ? (this.config.registryId ?? 'unknown') : null);
      this.clients.set(origin, client);
    }
    return client;
  }

  private welcome(): void {
    this.panel.showAnswers([]);
    void this.panel.refresh();
    replaceChildren(
      this.el.view,
      h(
        'div',
        { class: 'welcome' },
        h('h2', { tabindex: -1 }, 'Inspect an image'),
        h(
          'p',
          {},
          'Enter a reference above: a name (alpine), a tag (alpine:3.20), a registry (ghcr.io/owner/app:tag) or a digest (…@sha256:…). Manifests come through regcache, so a manifest you have seen opens again offline.',
        ),
        h(
          'p',
          { class: 'browse-entry' },
          this.browseLink('', `Browse the repositories on ${this.config.registryHost ?? this.config.label}`),
        ),
        this.recentList(),
      ),
    );
  }

  private recentList(): HTMLElement | null {
    const refs = recent(this.config.upstream);
    if (refs.length === 0) return null;
    return h(
      'section',
      { class: 'recent', 'aria-labelledby': 'recent-title' },
      h('h3', { id: 'recent-title' }, 'Viewed lately'),
      h('ul', {}, ...refs.map((ref) => h('li', {}, this.refLink(ref, familiarString(ref))))),
    );
  }

  private linkTo(parent: ImageReference, child: ImageReference, platform: string): HTMLAnchorElement {
    return h(
      'a',
      {
        href: this.urlFor(child),
        'data-ref': familiarString(child),
        'data-parent': familiarString(parent),
        'data-platform-label': platform,
      },
      platform,
    );
  }

  private async load(ref: ImageReference, state: NavState, moveFocus: boolean): Promise<void> {
    const client = this.clientFor(ref);
    const title = familiarString(ref);
    const load = this.beginLoad(title, `Loading ${title} from ${client.host}…`);
    const answers: ViewAnswer[] = [];
    this.tagMoves.follow(this.el.view, null, () => {});
    try {
      const answer = await client.manifest(ref.path, manifestReference(ref));
      if (load !== this.loads) return;
      answers.push({ label: `${isIndexType(answer.mediaType) ? 'Index' : 'Manifest'} ${title}`, cacheStatus: answer.cacheStatus });
      remember(ref, client.origin);
      this.panel.showAnswers(answers);
      const refetch = h(
        'button',
        { type: 'button', class: 'refetch', 'data-action': 'refetch', onclick: () => void this.load(ref, state, false) },
        'Fetch again',
      );
      const reference = manifestReference(ref);
      const shown = looksLikeDigest(reference)
        ? null
        : { upstream: client.origin, repository: ref.path, tag: reference, digest: answer.digest };
      this.tagMoves.follow(this.el.view, shown, () => void this.load(ref, state, false));
      const allTags = h(
        'p',
        { class: 'all-tags' },
        this.browseLink(ref.explicitDomain ? `${ref.domain}/${ref.path}` : familiarName(ref), `All tags of ${familiarName(ref)}`),
      );
      if (isIndexType(answer.mediaType)) {
        const view = indexView(
          ref,
          answer,
          (child, platform) => this.linkTo(ref, child, platform),
          (digest, platform) => this.summaries.platform(client, ref.path, digest, platform),
        );
        view.querySelector('.view-header')?.append(this.pullCommandsFor(ref, answer.digest), refetch, allTags, this.compareFormFor(ref));
        this.show(view, moveFocus);
        void this.markPlatforms(client.origin, ref.path, view);
      } else {
        let parentLink: { label: string; link: HTMLAnchorElement } | undefined;
        if (state.parent) {
          const parentRef = parseReference(state.parent.ref);
          parentLink = {
            label: `Platform ${state.parent.platform}`,
            link: h('a', { href: this.urlFor(parentRef), 'data-ref': state.parent.ref }, state.parent.ref),
          };
        }
        const { element, configSlot } = manifestView(ref, answer, parentLink ? { parent: parentLink } : {});
        element.querySelector('.view-header')?.append(this.pullCommandsFor(ref, answer.digest), refetch, allTags, this.compareFormFor(ref));
        this.show(element, moveFocus);
        await this.showConfig(client, ref, answer.json as Partial<ImageManifest>, configSlot);
      }
    } catch (error) {
      if (load !== this.loads) return;
      this.panel.showAnswers(answers);
      const slot = this.showProblem(title, error);
      if (error instanceof RegistryProblem) void this.suggest(ref, error, slot);
    } finally {
      this.endLoad(load);
    }
  }

  private async showConfig(
    client: RegistryClient,
    ref: ImageReference,
    manifest: Partial<ImageManifest>,
    slot: HTMLElement,
  ): Promise<void> {
    const named = record(manifest).config;
    const descriptor = descriptorOf(named);
    if (!descriptor) {
      return renderConfigProblem(
        slot,
        named === undefined ? 'This manifest names no config.' : 'This manifest’s config is not a descriptor with a digest.',
      );
    }
    if (!looksLikeDigest(descriptor.digest)) {
      return renderConfigProblem(slot, `This manifest names its config by “${text(descriptor.digest, 100)}”, which is not a digest.`);
    }
    try {
      const loaded = await loadConfig(client, this.configs, ref.path, descriptor);
      renderConfig(slot, loaded.json as Partial<ImageConfig>, loaded.bytes, descriptor, layersOf(manifest), loaded.source);
    } catch (error) {
      renderConfigProblem(slot, error instanceof RegistryProblem ? error.message : `The config could not be loaded: ${String(error)}`);
    }
  }

  // A view's load begins: its title, and a busy view saying what loads. Returns the load's
  // number; a later load makes earlier ones stale, and they then show nothing.
  private beginLoad(title: string, loading: string, load = ++this.loads): number {
    document.title = `${title} · regcache inspector`;
    this.el.view.setAttribute('aria-busy', 'true');
    replaceChildren(this.el.view, h('p', { class: 'loading' }, loading));
    return load;
  }

  // A load ends, unless a later one began: the view is no longer busy, the cache panel updates.
  private endLoad(load: number): void {
    if (load !== this.loads) return;
    this.el.view.removeAttribute('aria-busy');
    void this.panel.refresh();
  }

  private show(view: HTMLElement, moveFocus: boolean): void {
    replaceChildren(this.el.view, view);
    if (moveFocus) view.querySelector<HTMLElement>('h2')?.focus();
  }

  // The problem view; what it returns is where more may be said (suggestions).
  private showProblem(title: string, error: unknown): HTMLElement {
    const problem = error instanceof RegistryProblem ? error : null;
    const message = problem
      ? problem.message
      : `Something unexpected went wrong while loading ${title}: ${error instanceof Error ? error.message : String(error)}`;
    const more = h('div', { class: 'problem-more' });
    replaceChildren(
      this.el.view,
      h(
        'div',
        { class: 'problem-view', role: 'alert', 'data-problem': problem?.kind ?? 'unexpected' },
        h('h2', { tabindex: -1 }, problem?.kind === 'offline' ? `${title} is not available offline` : `Could not load ${title}`),
        h('p', {}, message),
      ),
      more,
    );
    return more;
  }

  private markOutdated(): void {
    for (const badge of [...this.el.view.querySelectorAll('.badge'), ...this.el.panel.querySelectorAll('.answers .badge')])
      badge.classList.add('outdated');
  }
}
