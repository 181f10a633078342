// A platform as people read it (linux/arm64/v8), from whatever an index or config says.
import type { Platform } from '../../../src/core/oci/types.js';
import { isRecord, record, text } from '../untrusted.js';

// A platform field as text: a string as it is, anything else a registry put there as JSON.
const part = (value: unknown) => (value === undefined ? '?' : text(value, 200));

export function platformLabel(p: Partial<Platform> | undefined): string {
  if (!isRecord(p)) return p === undefined ? 'unknown platform' : text(p, 200);
  const parts = [part(p.os), part(p.architecture), p.variant === undefined ? '' : part(p.variant)].filter(Boolean);
  return parts.join('/') + (p['os.version'] !== undefined && p['os.version'] !== '' ? ` (${part(p['os.version'])})` : '');
}

// Attestation manifests (BuildKit's provenance) are listed with platform unknown/unknown.
export function isAttestation(d: { annotations?: unknown }): boolean {
  return record(d.annotations)['vnd.docker.reference.type'] === 'attestation-manifest';
}
