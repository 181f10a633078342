// Real bearer-token auth: distribution with `auth: token`, whose realm is a token server
// that signs JWTs with a key pair made at setup. Shared by the specs that need a registry
// which refuses requests without the right token.
import type { Page } from '@playwright/test';
import { type PushedImage, pushImage } from '../../servers/images.js';
import { startProxy, type UpstreamProxy } from '../../servers/proxy.js';
import { type Registry, startRegistry } from '../../servers/registry.js';
import { startTokenServer, type TokenServer } from '../../servers/token-server.js';
import { test as base } from './fixtures.js';

export interface AuthEnv {
  tokens: TokenServer;
  registry: Registry;
  /** In front of the registry; answers preflights, which distribution refuses with 401 under token auth. */
  proxy: UpstreamProxy;
}

export const test = base.extend<{ cleanAuthProxy: void }, { auth: AuthEnv }>({
  auth: [
    async ({ env }, use) => {
      const tokens = await startTokenServer({ corsOrigin: env.pageOrigin });
      try {
        const registry = await startRegistry({
          corsOrigins: [env.pageOrigin],
          auth: { token: { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootCertBundle: tokens.certPath } },
        });
        try {
          const proxy = await startProxy(registry.url, { corsOrigin: env.pageOrigin, answerPreflights: true });
          try {
            await use({ tokens, registry, proxy });
          } finally {
            await proxy.stop();
          }
        } finally {
          await registry.stop();
        }
      } finally {
        await tokens.stop();
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  cleanAuthProxy: [
    async ({ auth }, use) => {
      auth.proxy.offline(false);
      auth.proxy.clearFaults();
      auth.proxy.reset();
      await use();
    },
    { auto: true, box: true },
  ],
});

/** Pushes an OCI image with a push token for its repository. */
export async function push(auth: AuthEnv, repo: string, tag: string, salt = ''): Promise<PushedImage> {
  const token = auth.tokens.mint([{ type: 'repository', name: repo, actions: ['pull', 'push'] }]);
  return pushImage(auth.registry.url, repo, tag, 'oci', { authorization: `Bearer ${token}`, salt });
}

// A token for exactly this repository, fetched by the page from the realm.
export function tokenFor(page: Page, tokens: TokenServer, repo: string): Promise<string> {
  return page.evaluate(
    async ({ realm, service, repo }) => {
      const url = new URL(realm);
      url.searchParams.set('service', service);
      url.searchParams.set('scope', `repository:${repo}:pull`);
      return ((await (await fetch(url)).json()) as { token: string }).token;
    },
    { realm: tokens.realm, service: tokens.service, repo },
  );
}
