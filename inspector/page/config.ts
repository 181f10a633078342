// Which registry the inspector talks to, and which registry a reference's host maps to.
// The upstream comes from the page's ?upstream=, else from the <meta> the dev server
// writes (REGCACHE_UPSTREAM / REGCACHE_PROXY), else it is this page's own origin: the
// embedded sample registry of `npm start`, or its proxy.
import { DEFAULT_DOMAIN, type ImageReference } from './reference.js';

export interface InspectorConfig {
  upstream: string;
  // The registry host the upstream stands for (the proxy's target, say), if known.
  registryHost: string | null;
  // How the upstream is described on the page.
  label: string;
  // Whether ?upstream= was given, so that links carry it along.
  fromQuery: boolean;
  // Which registry answers /v2/ on this page's own origin, as the server said
  // (inspector/server/inspector-plugin.ts); null where no server said (static hosting).
  registryId: string | null;
}

function meta(name: string): string | null {
  return document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content || null;
}

export function readConfig(): InspectorConfig {
  const registryId = meta('regcache-registry-id');
  const query = new URLSearchParams(location.search).get('upstream');
  if (query) {
    const origin = new URL(query).origin;
    return { upstream: origin, registryHost: new URL(origin).host, label: new URL(origin).host, fromQuery: true, registryId };
  }
  const upstream = meta('regcache-upstream');
  if (upstream) {
    const origin = new URL(upstream, location.href).origin;
    return {
      upstream: origin,
      registryHost: meta('regcache-registry-host') ?? new URL(origin).host,
      label: meta('regcache-upstream-label') ?? new URL(origin).host,
      fromQuery: false,
      registryId,
    };
  }
  return { upstream: location.origin, registryHost: null, label: 'the embedded sample registry', fromQuery: false, registryId };
}

const LOCAL_HOSTS = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$|\.localhost(:\d+)?$/;

// A reference without a host, or on Docker Hub, goes to the configured upstream, as does
// one that names the upstream's own host; any other host is asked directly.
export function originFor(ref: ImageReference, config: InspectorConfig): string {
  if (ref.domain === DEFAULT_DOMAIN) return config.upstream;
  if (ref.domain === config.registryHost || ref.domain === new URL(config.upstream).host) return config.upstream;
  return `${LOCAL_HOSTS.test(ref.domain) ? 'http' : 'https'}://${ref.domain}`;
}
