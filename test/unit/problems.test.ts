import { describe, expect, it } from 'vitest';
import { problemFromAnswer, problemFromNetwork } from '../../inspector/page/problems.js';

const subject = { host: 'registry.example', repository: 'library/hello', what: 'tag “nope”' };
const body = (code: string, message: string, detail?: unknown) => JSON.stringify({ errors: [{ code, message, detail }] });

describe('registry problems as sentences', () => {
  it('404s say what is missing', () => {
    expect(problemFromAnswer(404, 'Not Found', body('MANIFEST_UNKNOWN', 'manifest unknown', { Tag: 'nope' }), subject, null).message).toBe(
      'library/hello on registry.example has no tag “nope” (or the repository does not exist).',
    );
    expect(problemFromAnswer(404, 'Not Found', body('NAME_UNKNOWN', 'repository name not known to registry'), subject, null).message).toBe(
      'registry.example has no repository named library/hello.',
    );
    const revision = `sha256:${'ab'.repeat(32)}`;
    expect(
      problemFromAnswer(404, 'Not Found', body('MANIFEST_UNKNOWN', 'manifest unknown', { Revision: revision }), subject, null).message,
    ).toBe('library/hello on registry.example has no manifest sha256:abababababab….');
    expect(problemFromAnswer(404, 'Not Found', '404 page not found\n', subject, null).message).toBe(
      'registry.example found no tag “nope” in library/hello (404).',
    );
  });

  it('401, 429 and 5xx', () => {
    const denied = problemFromAnswer(401, 'Unauthorized', body('UNAUTHORIZED', 'authentication required'), subject, null);
    expect(denied.kind).toBe('unauthorized');
    expect(denied.message).toContain('(“authentication required”)');
    expect(denied.message).toContain('may be private');
    expect(problemFromAnswer(429, 'Too Many Requests', '', subject, '30').message).toContain('It asks to wait 30 seconds.');
    expect(problemFromAnswer(503, 'Service Unavailable', '', subject, null).message).toBe(
      'registry.example failed while answering for library/hello (503 Service Unavailable).',
    );
  });

  it('network failures depend on whether the browser is online', () => {
    expect(problemFromNetwork(subject, false, 'proxy').kind).toBe('offline');
    expect(problemFromNetwork(subject, false, 'proxy').message).toMatch(
      /^You are offline, and library\/hello tag “nope” is not in the cache/,
    );
    expect(problemFromNetwork(subject, true, 'proxy').message).toContain('REGCACHE_PROXY');
    expect(problemFromNetwork(subject, true, 'cors').message).not.toContain('proxy');
    expect(problemFromNetwork(subject, true, null).message).not.toContain('REGCACHE_PROXY');
  });
});
