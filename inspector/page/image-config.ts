// Fetches an image config through the manifest's registry, or reads it from the offline
// store; either way the bytes have been checked against the config's digest.

import { matchesDigest } from '../../src/core/oci/digest.js';
import type { ConfigStore } from './config-store.js';
import { RegistryProblem } from './problems.js';
import type { RegistryClient } from './registry-client.js';

export type ConfigSource = 'offline-store' | 'registry';

export interface LoadedConfig {
  bytes: Uint8Array<ArrayBuffer>;
  json: unknown;
  source: ConfigSource;
}

export async function loadConfig(
  client: RegistryClient,
  store: ConfigStore,
  repository: string,
  descriptor: { digest: string; size: number; mediaType: string },
): Promise<LoadedConfig> {
  const what = `config blob ${descriptor.digest}`;
  let bytes = await store.get(descriptor.digest).catch(() => undefined);
  let source: ConfigSource = 'offline-store';
  if (!bytes) {
    bytes = await client.blob(repository, descriptor.digest, what);
    source = 'registry';
    if (!(await matchesDigest(descriptor.digest, bytes))) {
      throw new RegistryProblem('invalid', `The ${what} from ${client.host} does not match its digest, so it is not shown.`);
    }
    await store.put(descriptor.digest, bytes, descriptor.mediaType).catch(() => false);
  }
  try {
    return { bytes, json: JSON.parse(new TextDecoder().decode(bytes)), source };
  } catch (error) {
    throw new RegistryProblem('invalid', `The ${what} is not JSON (${(error as Error).message}).`);
  }
}
