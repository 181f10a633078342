// Stops one origin's service worker through CDP. ServiceWorker.stopAllWorkers would stop
// every scenario's worker in the profile, so this stops only the version that controls
// the page's origin, and waits until Chromium reports it stopped.
import type { CDPSession, Page } from '@playwright/test';

interface Version {
  versionId: string;
  registrationId: string;
  scriptURL: string;
  runningStatus: string;
  status: string;
}

export class WorkerControl {
  private readonly versions = new Map<string, Version>();
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly cdp: CDPSession,
    private readonly origin: string,
  ) {
    cdp.on('ServiceWorker.workerVersionUpdated', (e: { versions: Version[] }) => {
      for (const v of e.versions) this.versions.set(v.versionId, v);
      for (const wake of this.waiters) wake();
    });
  }

  static async attach(page: Page): Promise<WorkerControl> {
    const cdp = await page.context().newCDPSession(page);
    const control = new WorkerControl(cdp, new URL(page.url()).origin);
    await cdp.send('ServiceWorker.enable');
    await control.until(() => control.active() !== undefined, 'an activated worker');
    return control;
  }

  private active(): Version | undefined {
    return [...this.versions.values()].find((v) => v.status === 'activated' && new URL(v.scriptURL).origin === this.origin);
  }

  private until(done: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`worker control for ${this.origin}: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Stops the origin's worker; the next request starts it again from scratch. */
  async stop(): Promise<void> {
    const version = this.active();
    if (!version) throw new Error(`no activated worker on ${this.origin}`);
    if (version.runningStatus === 'stopped') return;
    await this.cdp.send('ServiceWorker.stopWorker', { versionId: version.versionId });
    await this.until(() => this.versions.get(version.versionId)?.runningStatus === 'stopped', 'stopped worker');
  }

  async detach(): Promise<void> {
    await this.cdp.send('ServiceWorker.disable').catch(() => {});
    await this.cdp.detach().catch(() => {});
  }
}
