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
  // Why ?upstream= cannot be used, when it cannot: the page then asks nothing.
  problem: string | null;
}

// ?upstream= as a registry origin, or why it is not one. Anything a link says is checked.
export function upstreamFromQuery(value: string): { origin: string } | { problem: string } {
  const shown = `“${value.length > 200 ? `${value.slice(0, 200)}…` : value}”`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: `${shown} is not a registry address: expected an http(s) URL such as https://registry.example` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { problem: `${shown} is not a registry address: the inspector asks registries over http(s) only, not ${url.protocol}` };
  if (url.username || url.password)
    return { problem: `${shown} is not a registry address: it carries a user name or password, which the inspector does not send` };
  return { origin: url.origin };
}

function meta(name: string): string | null {
  return document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content || null;
}

export function readConfig(): InspectorConfig {
  const registryId = meta('regcache-registry-id');
  const query = new URLSearchParams(location.search).get('upstream');
  if (query !== null) {
    const checked = upstreamFromQuery(query);
    if ('problem' in checked)
      return { upstream: location.origin, registryHost: null, label: 'none', fromQuery: true, registryId, problem: checked.problem };
    const { origin } = checked;
    return {
      upstream: origin,
      registryHost: new URL(origin).host,
      label: new URL(origin).host,
      fromQuery: true,
      registryId,
      problem: null,
    };
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
      problem: null,
    };
  }
  // No server said which registry is here (a plain static server): nothing is claimed.
  const label = registryId === null ? 'this page’s own origin (/v2/ here)' : 'the embedded sample registry';
  return { upstream: location.origin, registryHost: null, label, fromQuery: false, registryId, problem: null };
}

const LOCAL_HOSTS = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$|\.localhost(:\d+)?$/;

// A reference without a host, or on Docker Hub, goes to the configured upstream, as does
// one that names the upstream's own host; any other host is asked directly.
export function originFor(ref: ImageReference, config: InspectorConfig): string {
  if (ref.domain === DEFAULT_DOMAIN) return config.upstream;
  if (ref.domain === config.registryHost || ref.domain === new URL(config.upstream).host) return config.upstream;
  return `${LOCAL_HOSTS.test(ref.domain) ? 'http' : 'https'}://${ref.domain}`;
}
