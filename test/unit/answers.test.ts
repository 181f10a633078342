import { describe, expect, it } from 'vitest';
import type { ManifestRecord } from '../../src/sw/storage/schema.js';
import { answerFromRecord, ociError, passThrough } from '../../src/sw/strategy/answers.js';
import type { UpstreamAnswer } from '../../src/sw/upstream/calls.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const BODY = new TextEncoder().encode('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}');

function record(over: Partial<ManifestRecord['headers']> = {}): ManifestRecord {
  return {
    upstream: 'https://r.example',
    repository: 'library/x',
    digest: DIGEST,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    body: BODY.slice().buffer,
    headers: {
      contentType: 'application/vnd.oci.image.manifest.v1+json',
      dockerContentDigest: DIGEST,
      etag: `"${DIGEST}"`,
      apiVersion: 'registry/2.0',
      ...over,
    },
    size: BODY.byteLength,
    fetchedAt: 0,
    confirmedAt: 0,
    expiresAt: 1000,
    private: false,
    lastUsed: 0,
  };
}

function headersOf(r: Response): Record<string, string> {
  return Object.fromEntries([...r.headers]);
}

describe('answerFromRecord', () => {
  it('repeats the stored body and upstream headers, and says what the cache did', async () => {
    const r = answerFromRecord(record(), { method: 'GET', ifNoneMatch: null }, { hit: true, ttl: 42 });
    expect(r.status).toBe(200);
    expect(new Uint8Array(await r.arrayBuffer())).toEqual(BODY);
    const h = headersOf(r);
    expect(h).toMatchObject({
      'content-type': 'application/vnd.oci.image.manifest.v1+json',
      'content-length': String(BODY.byteLength),
      'docker-content-digest': DIGEST,
      etag: `"${DIGEST}"`,
      'docker-distribution-api-version': 'registry/2.0',
      'cache-status': 'regcache; hit; ttl=42',
    });
    // Every header is readable by a cross-origin page.
    const exposed = h['access-control-expose-headers']!.split(',').map((s) => s.trim());
    for (const name of Object.keys(h).filter((n) => n !== 'access-control-expose-headers')) expect(exposed).toContain(name);
  });

  it('exposes every name, lower case and sorted, as a Headers object lists them', () => {
    const r = answerFromRecord(record(), { method: 'GET', ifNoneMatch: null }, { hit: true, ttl: 1 });
    expect(r.headers.get('access-control-expose-headers')).toBe(
      'cache-status, content-length, content-type, docker-content-digest, docker-distribution-api-version, etag',
    );
    const bare = answerFromRecord(record({ etag: null, apiVersion: null }), { method: 'GET', ifNoneMatch: null }, {});
    expect(bare.headers.get('access-control-expose-headers')).toBe('cache-status, content-length, content-type, docker-content-digest');
  });

  // A sequence of answers follows each record, and each answer has its own Cache-Status.
  it('answers a record, then another, then the first again, each with its own headers', () => {
    const a = record();
    const b = record({ etag: '"v2"', apiVersion: null });
    const answer = (r: ManifestRecord, ttl: number, ifNoneMatch: string | null = null) =>
      headersOf(answerFromRecord(r, { method: 'GET', ifNoneMatch }, { hit: true, ttl }));
    expect(answer(a, 5)).toMatchObject({ etag: `"${DIGEST}"`, 'cache-status': 'regcache; hit; ttl=5' });
    expect(answer(b, 6)).toMatchObject({ etag: '"v2"', 'cache-status': 'regcache; hit; ttl=6' });
    expect(answer(b, 6)['docker-distribution-api-version']).toBeUndefined();
    // A 304 in between leaves the record's 200 headers whole.
    expect(answer(a, 7, `"${DIGEST}"`)['content-length']).toBeUndefined();
    expect(answer(a, 7)).toMatchObject({ 'content-length': String(BODY.byteLength), 'cache-status': 'regcache; hit; ttl=7' });
  });

  it('gives HEAD the same headers and no body', async () => {
    const get = answerFromRecord(record(), { method: 'GET', ifNoneMatch: null }, { hit: true });
    const head = answerFromRecord(record(), { method: 'HEAD', ifNoneMatch: null }, { hit: true });
    expect(headersOf(head)).toEqual(headersOf(get));
    expect(head.body).toBeNull();
  });

  it('answers a matching If-None-Match with 304, keeping the Etag', () => {
    const r = answerFromRecord(record(), { method: 'GET', ifNoneMatch: `"${DIGEST}"` }, { hit: true });
    expect(r.status).toBe(304);
    expect(r.body).toBeNull();
    expect(r.headers.get('etag')).toBe(`"${DIGEST}"`);
    expect(r.headers.get('content-length')).toBeNull();
  });

  // How If-None-Match is read is src/core/http/etag.ts's (etag.test.ts); which tags a record
  // goes by is the worker's.
  it('goes by the stored Etag, the bare digest and the quoted digest', () => {
    const status = (ifNoneMatch: string, rec = record()) => answerFromRecord(rec, { method: 'GET', ifNoneMatch }, { hit: true }).status;
    expect(status(`"${DIGEST}"`)).toBe(304);
    expect(status(DIGEST)).toBe(304);
    expect(status('"v7"', record({ etag: '"v7"' }))).toBe(304);
    expect(status(`"sha256:${'0'.repeat(64)}"`)).toBe(200);
  });

  it('leaves out headers upstream did not send', () => {
    const r = answerFromRecord(
      record({ etag: null, apiVersion: null, dockerContentDigest: null }),
      { method: 'GET', ifNoneMatch: null },
      {},
    );
    expect(r.headers.has('etag')).toBe(false);
    expect(r.headers.has('docker-distribution-api-version')).toBe(false);
    expect(r.headers.has('docker-content-digest')).toBe(false);
  });
});

describe('passThrough', () => {
  const notFound: UpstreamAnswer = {
    status: 404,
    statusText: 'Not Found',
    headers: [
      ['content-type', 'application/json; charset=utf-8'],
      ['content-length', '13'],
    ],
    body: new TextEncoder().encode('{"errors":[]}'),
  };

  it('keeps status, status text, headers and body, and adds Cache-Status', async () => {
    const r = passThrough(notFound, 'GET', { fwd: 'miss', fwdStatus: 404 });
    expect(r.status).toBe(404);
    expect(r.statusText).toBe('Not Found');
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.headers.get('content-length')).toBe('13');
    expect(r.headers.get('cache-status')).toBe('regcache; fwd=miss; fwd-status=404');
    expect(new Uint8Array(await r.arrayBuffer())).toEqual(notFound.body);
  });

  it('sends no body for HEAD', () => {
    expect(passThrough(notFound, 'HEAD', { fwd: 'miss' }).body).toBeNull();
  });
});

describe('ociError', () => {
  it('is an OCI error body with the given status', async () => {
    const r = ociError(502, 'DIGEST_INVALID', 'bad', { computed: DIGEST }, { fwd: 'miss' });
    expect(r.status).toBe(502);
    expect(r.headers.get('cache-status')).toBe('regcache; fwd=miss');
    expect(await r.json()).toEqual({ errors: [{ code: 'DIGEST_INVALID', message: 'bad', detail: { computed: DIGEST } }] });
  });
});
