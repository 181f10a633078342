// What people look for first about an image: its platforms, its total compressed size
// (config plus layers) and when it was created (from its config). Loaded on demand, a few
// at a time, and kept for the page's life: manifests go through regcache, configs through
// the offline config store, so a summary seen once is there offline too.
import { isIndexType } from '../../src/core/oci/media-types.js';
import type { ConfigStore } from './config-store.js';
import { loadConfig } from './image-config.js';
import type { RegistryClient } from './registry-client.js';
import { isRecord, list, looksLikeDigest, num, record, str } from './untrusted.js';
import { descriptorOf, layersOf } from './views/manifest-view.js';
import { isAttestation, platformLabel } from './views/platform.js';

/** Platforms of an index summarised at most (each is a manifest and a config to fetch). */
export const MAX_SUMMARISED_PLATFORMS = 8;
/** Summaries loaded at once. */
const CONCURRENCY = 3;

export interface PlatformSummary {
  platform: string;
  digest: string;
  /** Config plus layers, in bytes; null when the manifest could not be read. */
  size: number | null;
  /** The config's `created`, as the registry wrote it. */
  created: string | null;
}

export interface ImageSummary {
  digest: string;
  index: boolean;
  platforms: PlatformSummary[];
  /** Platforms of an index past MAX_SUMMARISED_PLATFORMS, listed without size or date. */
  more: string[];
  cacheStatus: string | null;
}

let running = 0;
const waiting: Array<() => void> = [];

async function limited<T>(task: () => Promise<T>): Promise<T> {
  if (running >= CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await task();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

export class ImageSummaries {
  private readonly known = new Map<string, Promise<ImageSummary>>();
  private readonly manifests = new Map<string, Promise<PlatformSummary>>();

  constructor(private readonly configs: ConfigStore) {}

  /** The summary of `reference` (a tag or digest) in `repository`, loaded once per page. */
  of(client: RegistryClient, repository: string, reference: string): Promise<ImageSummary> {
    const key = `${client.origin} ${repository} ${reference}`;
    let found = this.known.get(key);
    if (!found) {
      found = limited(() => this.load(client, repository, reference));
      // A failure is not kept: the next view asks again.
      found.catch(() => this.known.delete(key));
      this.known.set(key, found);
    }
    return found;
  }

  /** One platform's manifest by digest: size and created. */
  platform(client: RegistryClient, repository: string, digest: string, platform: string): Promise<PlatformSummary> {
    const key = `${client.origin} ${repository} ${digest}`;
    let found = this.manifests.get(key);
    if (!found) {
      found = limited(() => this.loadPlatform(client, repository, digest, platform));
      this.manifests.set(key, found);
    }
    return found;
  }

  private async load(client: RegistryClient, repository: string, reference: string): Promise<ImageSummary> {
    const answer = await client.manifest(repository, reference);
    const json = record(answer.json);
    if (isIndexType(answer.mediaType)) {
      const children = list(json.manifests).filter(
        (d): d is Record<string, unknown> & { digest: string } => isRecord(d) && looksLikeDigest(d.digest) && !isAttestation(d),
      );
      const labels = children.map((d) => platformLabel(d.platform as never));
      const shown = children.slice(0, MAX_SUMMARISED_PLATFORMS);
      const platforms = await Promise.all(
        shown.map((d, i) =>
          this.loadPlatform(client, repository, d.digest, labels[i] ?? '?').catch(() => ({
            platform: labels[i] ?? '?',
            digest: d.digest,
            size: null,
            created: null,
          })),
        ),
      );
      return {
        digest: answer.digest,
        index: true,
        platforms,
        more: labels.slice(MAX_SUMMARISED_PLATFORMS),
        cacheStatus: answer.cacheStatus,
      };
    }
    const summary = await this.fromManifest(client, repository, answer.digest, answer.json, null);
    return { digest: answer.digest, index: false, platforms: [summary], more: [], cacheStatus: answer.cacheStatus };
  }

  private async loadPlatform(client: RegistryClient, repository: string, digest: string, platform: string): Promise<PlatformSummary> {
    const answer = await client.manifest(repository, digest);
    return this.fromManifest(client, repository, digest, answer.json, platform);
  }

  private async fromManifest(
    client: RegistryClient,
    repository: string,
    digest: string,
    manifest: unknown,
    platform: string | null,
  ): Promise<PlatformSummary> {
    const config = descriptorOf(record(manifest).config);
    const layers = layersOf(record(manifest));
    const size = (config ? (num(config.size) ?? 0) : 0) + layers.reduce((sum, l) => sum + (Number.isFinite(l.size) ? l.size : 0), 0);
    let created: string | null = null;
    let label = platform;
    if (config && looksLikeDigest(config.digest)) {
      try {
        const loaded = await loadConfig(client, this.configs, repository, config);
        const json = record(loaded.json);
        created = str(json.created) ?? null;
        label ??= platformLabel({ os: json.os, architecture: json.architecture, variant: json.variant } as never);
      } catch {
        // Size without a date: the config is optional for a summary.
      }
    }
    return { platform: label ?? '?', digest, size, created };
  }
}
