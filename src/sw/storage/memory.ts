// A bounded in-memory copy of records in front of IndexedDB, so that a warm hit needs no
// database read. It only ever holds what IndexedDB holds: it is filled after a read or a
// committed write, and emptied by every delete, before or as IndexedDB is.
import type { ManifestKey, ManifestRecord, TagKey, TagRecord } from './schema.js';

const id = (key: readonly string[]) => key.join('\u0000');

export class RecordMemory {
  private readonly manifests = new Map<string, ManifestRecord>();
  private readonly tags = new Map<string, TagRecord>();
  private bytes = 0;
  // Bumped by every delete. A database read that started before a delete may have seen
  // the deleted record, so it must not fill the memory with it.
  private epoch = 0;

  constructor(private readonly limitBytes: number) {}

  get generation(): number {
    return this.epoch;
  }

  getManifest(key: ManifestKey): ManifestRecord | undefined {
    const k = id(key);
    const record = this.manifests.get(k);
    if (record) {
      // Re-insert: Map order is the eviction order.
      this.manifests.delete(k);
      this.manifests.set(k, record);
    }
    return record;
  }

  getTag(key: TagKey): TagRecord | undefined {
    return this.tags.get(id(key));
  }

  setManifest(record: ManifestRecord, readAt?: number): void {
    if (readAt !== undefined && readAt !== this.epoch) return;
    if (record.size > this.limitBytes) return;
    const k = id([record.upstream, record.repository, record.digest]);
    this.bytes -= this.manifests.get(k)?.size ?? 0;
    this.manifests.delete(k);
    this.manifests.set(k, record);
    this.bytes += record.size;
    for (const [oldest, old] of this.manifests) {
      if (this.bytes <= this.limitBytes) break;
      this.manifests.delete(oldest);
      this.bytes -= old.size;
    }
  }

  setTag(record: TagRecord, readAt?: number): void {
    if (readAt !== undefined && readAt !== this.epoch) return;
    this.tags.set(id([record.upstream, record.repository, record.tag, record.accept]), record);
    // Tags are small; bound their number alongside the manifests they point at.
    if (this.tags.size > 4 * Math.max(64, this.manifests.size)) {
      const oldest = this.tags.keys().next().value;
      if (oldest !== undefined) this.tags.delete(oldest);
    }
  }

  deleteManifests(keys: readonly ManifestKey[]): void {
    this.epoch++;
    for (const key of keys) {
      const k = id(key);
      this.bytes -= this.manifests.get(k)?.size ?? 0;
      this.manifests.delete(k);
    }
  }

  deleteTags(keys: readonly TagKey[]): void {
    this.epoch++;
    for (const key of keys) this.tags.delete(id(key));
  }

  // Every Accept variant of one tag.
  deleteTagVariants(upstream: string, repository: string, tag: string): void {
    this.epoch++;
    const prefix = id([upstream, repository, tag, '']);
    for (const k of this.tags.keys()) if (k.startsWith(prefix)) this.tags.delete(k);
  }

  clear(): void {
    this.epoch++;
    this.manifests.clear();
    this.tags.clear();
    this.bytes = 0;
  }
}
