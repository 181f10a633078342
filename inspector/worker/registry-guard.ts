// Which registry the records of the page's own origin came from. regcache keys records by
// origin, and on the dev server's origin /v2/ is whatever that server was started with:
// the embedded registry, or a proxy to REGCACHE_PROXY. A restart with another registry
// must not have the worker serve the previous one's records, by digest with no request at
// all. So every request to the page's own origin names the registry the server said
// answers there (the page sends REGISTRY_ID_HEADER), and before answering one that names
// another registry than the records came from, the worker waits for the answers under
// way, drops those records, and notes the new registry. Nothing is served in between:
// requests that arrive meanwhile wait for the switch. Pure, so that it is unit-tested.

export interface GuardStorage {
  // The registry the stored records came from; null when none was noted (a first run,
  // or records from a build that did not note it).
  read(): Promise<string | null>;
  write(id: string): Promise<void>;
  // Drops every record stored for the page's own origin.
  clear(): Promise<void>;
}

export class RegistryGuard {
  // undefined until read from storage.
  private known: string | null | undefined = undefined;
  private switching: Promise<void> | null = null;
  private readonly answering = new Set<Promise<unknown>>();

  constructor(private readonly storage: GuardStorage) {}

  // Answers a request that names registry `id`, once the records are that registry's.
  // Rejects, with nothing answered, when storage fails; the caller goes to the network.
  async run<T>(id: string, answer: () => Promise<T>): Promise<T> {
    while (this.switching !== null || this.known !== id) {
      this.switching ??= this.switchTo(id).finally(() => {
        this.switching = null;
      });
      await this.switching;
    }
    const answered = answer();
    this.answering.add(answered);
    const settled = () => this.answering.delete(answered);
    answered.then(settled, settled);
    return answered;
  }

  private async switchTo(id: string): Promise<void> {
    if (this.known === undefined) this.known = await this.storage.read();
    if (this.known === id) return;
    // Answers under way may still store what they fetched: let them finish first.
    await Promise.allSettled([...this.answering]);
    // Unknown until the records are gone, so that a failure here is retried next time.
    this.known = undefined;
    await this.storage.clear();
    await this.storage.write(id);
    this.known = id;
  }
}
