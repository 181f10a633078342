// distribution 2.8's own rules, as the embedded registry reproduces them. The e2e spec
// inspector-registry.spec.ts checks the same against a real docker-registry.
import { describe, expect, it } from 'vitest';
import {
  MANIFEST_ROUTE,
  manifestPreconditions,
  storagePath,
  storageRefusal,
  TAGS_ROUTE,
} from '../../inspector/server/distribution-quirks.js';
import { DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST } from '../../src/core/oci/media-types.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const oci = { digest: DIGEST, mediaType: OCI_MANIFEST };
const ask = (accept: string[], ifNoneMatch: string[] = []) => ({ accept, ifNoneMatch });

describe('routes', () => {
  it.each([
    ['/v2/library/hello/manifests/latest', 'library/hello', 'latest'],
    ['/v2/localhost:5000/app/manifests/v1', 'localhost:5000/app', 'v1'],
    ['/v2/Example.com/app/manifests/v1', 'Example.com/app', 'v1'],
    ['/v2/app/manifests/md5:abc', 'app', 'md5:abc'],
  ])('routes %s', (path, name, reference) => {
    expect(MANIFEST_ROUTE.exec(path)?.slice(1)).toEqual([name, reference]);
  });

  it.each(['/v2/App/manifests/v1', '/v2/[::1]/app/manifests/v1', '/v2/app/manifests/.x', '/v2/app/manifests/a/b'])(
    'does not route %s',
    (path) => expect(MANIFEST_ROUTE.test(path)).toBe(false),
  );

  it('routes tag lists by the same names', () => {
    expect(TAGS_ROUTE.exec('/v2/localhost:5000/a/b/tags/list')?.[1]).toBe('localhost:5000/a/b');
  });
});

describe('the storage driver’s paths', () => {
  it('takes names, tags and digests the OCI grammar allows', () => {
    expect(storageRefusal(storagePath.tag('library/hello', 'v1.0_x-y'))).toBeNull();
    expect(storageRefusal(storagePath.revision('Registry.example/hello', DIGEST))).toBeNull();
  });

  it('refuses a colon in a name or a tag, naming the path', () => {
    expect(storageRefusal(storagePath.tag('app', 'sha256:00'))).toEqual({
      code: 'UNKNOWN',
      message: 'unknown error',
      detail: { Path: '/docker/registry/v2/repositories/app/_manifests/tags/sha256:00/current/link', DriverName: 'filesystem' },
    });
    expect(storageRefusal(storagePath.layer('localhost:5000/app', DIGEST))?.detail).toEqual({
      Path: `/docker/registry/v2/repositories/localhost:5000/app/_layers/sha256/${'ab'.repeat(32)}/link`,
      DriverName: 'filesystem',
    });
    expect(storageRefusal(storagePath.tags('localhost:5000/app'))?.code).toBe('UNKNOWN');
  });
});

describe('manifestPreconditions', () => {
  it('serves a manifest whose type is accepted', () => {
    expect(manifestPreconditions(ask([OCI_MANIFEST]), oci)).toBeNull();
    expect(manifestPreconditions(ask([]), { digest: DIGEST, mediaType: DOCKER_MANIFEST })).toBeNull();
  });

  it('refuses OCI types the request does not accept, with distribution’s messages', () => {
    expect(manifestPreconditions(ask([DOCKER_MANIFEST]), oci)).toEqual({
      status: 404,
      error: { code: 'MANIFEST_UNKNOWN', message: 'OCI manifest found, but accept header does not support OCI manifests' },
    });
    expect(manifestPreconditions(ask([OCI_MANIFEST]), { digest: DIGEST, mediaType: OCI_INDEX })).toEqual({
      status: 404,
      error: { code: 'MANIFEST_UNKNOWN', message: 'OCI index found, but accept header does not support OCI indexes' },
    });
  });

  it('reads every Accept line and ignores q', () => {
    expect(manifestPreconditions(ask([DOCKER_MANIFEST, `${OCI_MANIFEST};q=0`]), oci)).toBeNull();
  });

  it('compares Accept types case and all', () => {
    expect(manifestPreconditions(ask([OCI_MANIFEST.toUpperCase()]), oci)?.status).toBe(404);
  });

  it('answers If-None-Match before looking at Accept', () => {
    expect(manifestPreconditions(ask([], [`"${DIGEST}"`]), oci)).toEqual({ status: 304 });
    expect(manifestPreconditions(ask([], [DIGEST]), oci)).toEqual({ status: 304 });
  });

  it('compares each If-None-Match line whole: no weak tags, lists or *', () => {
    for (const line of [`W/"${DIGEST}"`, `"x", "${DIGEST}"`, '*']) {
      expect(manifestPreconditions(ask([OCI_MANIFEST], [line]), oci)).toBeNull();
    }
  });
});
