// The inspector's calls to one registry: manifests (which regcache answers) and config
// blobs, with the bearer token flow registries such as Docker Hub require.

import { joinChunks } from '../../src/core/bytes.js';
import { computeDigest } from '../../src/core/oci/digest.js';
import { formatBytes } from './dom.js';
import { MANIFEST_ACCEPT } from './media-types.js';
import { REGISTRY_ID_HEADER } from './offline-names.js';
import { type CorsHint, corsHintText, problemFromAnswer, problemFromNetwork, RegistryProblem, type Subject } from './problems.js';
import { isRecord } from './untrusted.js';
import { bearerChallenge } from './www-authenticate.js';

export interface ManifestAnswer {
  mediaType: string;
  digest: string;
  bytes: Uint8Array<ArrayBuffer>;
  json: unknown;
  // regcache's Cache-Status, or null when the answer did not pass through it.
  cacheStatus: string | null;
}

interface Token {
  authorization: string;
  expiresAt: number;
}

// Tokens without expires_in live 60 seconds (the distribution token spec's default).
const DEFAULT_TOKEN_SECONDS = 60;
// Past these a body is not read on: no manifest or config is that large (regcache stores
// manifests up to 4 MiB), and a hostile registry could send gigabytes.
const MANIFEST_LIMIT = 8 * 1024 * 1024;
const BLOB_LIMIT = 16 * 1024 * 1024;
// A page of a listing: 100 names are a few KiB.
const LISTING_LIMIT = 4 * 1024 * 1024;

// A whole body, or a problem past `limit` bytes.
async function readLimited(response: Response, limit: number, what: string): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(response.headers.get('Content-Length'));
  if (declared > limit || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    if (declared > limit) throw new RegistryProblem('invalid', `The ${what} is ${formatBytes(declared)}, more than the inspector reads.`);
    return new Uint8Array(0);
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new RegistryProblem('invalid', `The ${what} is more than ${formatBytes(limit)}, more than the inspector reads.`);
    }
    chunks.push(value);
  }
  return joinChunks(chunks, total);
}

export class RegistryClient {
  private readonly tokens = new Map<string, Token>();
  readonly host: string;

  constructor(
    readonly origin: string,
    // The registry the person sees: its host, or a description of the proxy.
    displayHost: string,
    // What may explain a failed request: a missing CORS header, and what gets around it.
    private readonly corsHint: CorsHint,
    // For a registry on the page's own origin: which one the server said answers there,
    // sent with every request so that the worker never serves another's records.
    private readonly registryId: string | null = null,
  ) {
    this.host = displayHost;
  }

  async manifest(repository: string, reference: string): Promise<ManifestAnswer> {
    const url = `${this.origin}/v2/${repository}/manifests/${reference}`;
    const subject: Subject = {
      host: this.host,
      repository,
      what: reference.includes(':') ? `manifest ${reference}` : `tag “${reference}”`,
    };
    const response = await this.get(url, repository, { Accept: MANIFEST_ACCEPT }, subject);
    const bytes = await readLimited(response, MANIFEST_LIMIT, `manifest ${this.host} sent for ${repository}`);
    const text = new TextDecoder().decode(bytes);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new RegistryProblem('invalid', `The manifest ${this.host} sent for ${repository} is not JSON (${(error as Error).message}).`);
    }
    const headerType = (response.headers.get('Content-Type') ?? '').split(';')[0]?.trim() ?? '';
    const bodyType = isRecord(json) ? json.mediaType : undefined;
    const mediaType = headerType && headerType !== 'application/json' ? headerType : typeof bodyType === 'string' ? bodyType : headerType;
    return {
      mediaType,
      digest: response.headers.get('Docker-Content-Digest') ?? (await computeDigest('sha256', bytes)),
      bytes,
      json,
      cacheStatus: response.headers.get('Cache-Status'),
    };
  }

  /** One page of `/v2/_catalog` or `tags/list` at `url` (on this registry): its JSON and its `Link` header. */
  async listing(url: string, repository: string, what: string): Promise<{ json: unknown; link: string | null }> {
    const response = await this.get(url, repository, { Accept: 'application/json' }, { host: this.host, repository, what });
    const bytes = await readLimited(response, LISTING_LIMIT, `${what} from ${this.host}`);
    try {
      return { json: JSON.parse(new TextDecoder().decode(bytes)), link: response.headers.get('Link') };
    } catch (error) {
      throw new RegistryProblem('invalid', `The ${what} from ${this.host} is not JSON (${(error as Error).message}).`);
    }
  }

  async blob(repository: string, digest: string, what: string): Promise<Uint8Array<ArrayBuffer>> {
    const url = `${this.origin}/v2/${repository}/blobs/${digest}`;
    const response = await this.get(url, repository, {}, { host: this.host, repository, what });
    return readLimited(response, BLOB_LIMIT, `${what} from ${this.host}`);
  }

  private async get(url: string, repository: string, headers: Record<string, string>, subject: Subject): Promise<Response> {
    let response = await this.send(url, repository, headers, subject);
    if (response.status === 401) {
      const challenge = bearerChallenge(response.headers.get('WWW-Authenticate'));
      const realm = challenge?.params.realm;
      if (challenge && realm) {
        await response.arrayBuffer();
        await this.fetchToken(repository, realm, challenge.params, subject);
        response = await this.send(url, repository, headers, subject);
      }
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw problemFromAnswer(response.status, response.statusText, text, subject, response.headers.get('Retry-After'));
    }
    return response;
  }

  private async send(url: string, repository: string, headers: Record<string, string>, subject: Subject): Promise<Response> {
    const token = this.tokens.get(repository);
    const withAuth: Record<string, string> =
      token && token.expiresAt > Date.now() ? { ...headers, Authorization: token.authorization } : { ...headers };
    if (this.registryId !== null) withAuth[REGISTRY_ID_HEADER] = this.registryId;
    try {
      return await fetch(url, { headers: withAuth });
    } catch {
      throw problemFromNetwork(subject, navigator.onLine, this.corsHint);
    }
  }

  // The realm a registry named, if the inspector may ask it for a token (docs/security.md):
  // an absolute http(s) URL, and on this page's own origin only for the registry on it, so
  // that a registry chosen by a link never gets a token minted by this origin.
  private checkedRealm(realmUrl: string): URL {
    let realm: URL | null = null;
    try {
      realm = new URL(realmUrl);
    } catch {
      // Relative, or not a URL at all.
    }
    if (!realm || (realm.protocol !== 'http:' && realm.protocol !== 'https:')) {
      throw new RegistryProblem(
        'denied',
        `${this.host} named “${realmUrl.slice(0, 200)}” as its token service, which is not an absolute http(s) URL, so the inspector did not ask it.`,
      );
    }
    if (realm.origin === location.origin && this.origin !== location.origin) {
      throw new RegistryProblem(
        'denied',
        `${this.host} named this page’s own origin (${realm.origin}) as its token service. The inspector asks it for tokens only for the registry on this origin, so it did not.`,
      );
    }
    return realm;
  }

  // The distribution token flow: GET realm?service=…&scope=…, anonymously: no cookies or
  // HTTP auth of the page go along, whichever origin the realm is on.
  private async fetchToken(repository: string, realmUrl: string, params: Record<string, string>, subject: Subject): Promise<void> {
    const realm = this.checkedRealm(realmUrl);
    if (params.service) realm.searchParams.set('service', params.service);
    realm.searchParams.set('scope', params.scope ?? `repository:${repository}:pull`);
    let response: Response;
    try {
      response = await fetch(realm.href, { credentials: 'omit' });
    } catch {
      throw new RegistryProblem(
        navigator.onLine ? 'network' : 'offline',
        `${this.host} wants a token for ${repository}, but its token service at ${realm.host} could not be reached${this.corsHint ? ` (${corsHintText(this.corsHint)})` : ''}.`,
      );
    }
    const text = await response.text();
    if (!response.ok) throw problemFromAnswer(response.status, response.statusText, text, { ...subject, what: 'a token' }, null);
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      const parsed: unknown = JSON.parse(text);
      body = isRecord(parsed) ? parsed : {};
    } catch {
      throw new RegistryProblem('invalid', `The token service at ${realm.host} answered with something other than JSON.`);
    }
    const token = typeof body.token === 'string' && body.token ? body.token : body.access_token;
    if (typeof token !== 'string' || !token)
      throw new RegistryProblem('invalid', `The token service at ${realm.host} answered without a token.`);
    const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    this.tokens.set(repository, { authorization: `Bearer ${token}`, expiresAt: Date.now() + seconds * 1000 });
  }
}
