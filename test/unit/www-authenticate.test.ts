import { describe, expect, it } from 'vitest';
import { bearerChallenge, formatChallenges, parseChallenges } from '../../inspector/page/www-authenticate.js';
import { AnnouncedRealms, rewriteChallenges } from '../../inspector/server/registry-proxy.js';

const HUB = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"';

describe('WWW-Authenticate', () => {
  it('reads Docker Hub’s challenge', () => {
    expect(parseChallenges(HUB)).toEqual([
      {
        scheme: 'Bearer',
        params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' },
      },
    ]);
  });

  it('reads several challenges, unquoted values and escapes', () => {
    const parsed = parseChallenges('Basic realm="Registry \\"Realm\\"", Bearer realm=https://x/token, service=x ,error=insufficient_scope');
    expect(parsed).toEqual([
      { scheme: 'Basic', params: { realm: 'Registry "Realm"' } },
      { scheme: 'Bearer', params: { realm: 'https://x/token', service: 'x', error: 'insufficient_scope' } },
    ]);
    expect(bearerChallenge('Basic realm="r", Bearer realm="https://a/t"')?.params.realm).toBe('https://a/t');
    expect(bearerChallenge('Basic realm="r"')).toBeUndefined();
    expect(bearerChallenge(null)).toBeUndefined();
  });

  it('formats what it parses', () => {
    expect(formatChallenges(parseChallenges(HUB))).toBe(HUB);
    expect(formatChallenges([{ scheme: 'Basic', params: { realm: 'a "b" \\ c' } }])).toBe('Basic realm="a \\"b\\" \\\\ c"');
  });

  it('points Bearer realms at the proxy and remembers the original', () => {
    const seen = new AnnouncedRealms();
    const rewritten = rewriteChallenges(`Basic realm="x", ${HUB}`, 'http://localhost:5173/_regcache/token', seen);
    const bearer = bearerChallenge(rewritten)!;
    const realm = new URL(bearer.params.realm!);
    expect(realm.origin + realm.pathname).toBe('http://localhost:5173/_regcache/token');
    expect(realm.searchParams.get('realm')).toBe('https://auth.docker.io/token');
    expect(bearer.params.service).toBe('registry.docker.io');
    expect(bearer.params.scope).toBe('repository:library/alpine:pull');
    expect(parseChallenges(rewritten)[0]).toEqual({ scheme: 'Basic', params: { realm: 'x' } });
    expect(seen.has('https://auth.docker.io/token')).toBe(true);
    expect(seen.size).toBe(1);
  });
});
