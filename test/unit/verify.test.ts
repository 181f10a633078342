import { beforeAll, describe, expect, it } from 'vitest';
import { computeDigest } from '../../src/core/oci/digest.js';
import { verify } from '../../src/sw/strategy/verify.js';

const body = new TextEncoder().encode('{"schemaVersion":2}');
const other = new TextEncoder().encode('{"schemaVersion":3}');
let sha256: string;
let sha512: string;
let otherDigest: string;

beforeAll(async () => {
  sha256 = await computeDigest('sha256', body);
  sha512 = await computeDigest('sha512', body);
  otherDigest = await computeDigest('sha256', other);
});

describe('verify', () => {
  it('by tag, keys by the header digest it matches', async () => {
    expect(await verify(body, 'v1', sha512)).toEqual({ ok: true, digest: sha512 });
  });

  it('by tag without a header digest, keys by the body’s own sha256', async () => {
    expect(await verify(body, 'v1', null)).toEqual({ ok: true, digest: sha256 });
  });

  it('by digest, keys by the digest requested', async () => {
    expect(await verify(body, sha256, null)).toEqual({ ok: true, digest: sha256 });
    expect(await verify(body, sha512, sha256)).toEqual({ ok: true, digest: sha512 });
    expect(await verify(body, sha256, sha256)).toEqual({ ok: true, digest: sha256 });
  });

  it('a body that does not match its header digest is invalid, whatever was requested', async () => {
    for (const reference of ['v1', otherDigest]) {
      expect(await verify(body, reference, otherDigest)).toEqual({
        ok: false,
        message: 'manifest body does not match its Docker-Content-Digest',
        detail: { dockerContentDigest: otherDigest, computed: sha256 },
      });
    }
  });

  it('a body that does not hash to the digest requested is invalid, even when it matches its header', async () => {
    const invalid = {
      ok: false,
      message: 'manifest body does not match the digest it was requested by',
      detail: { requested: otherDigest },
    };
    expect(await verify(body, otherDigest, null)).toEqual(invalid);
    expect(await verify(body, otherDigest, sha256)).toEqual(invalid);
  });

  it('a requested digest of an algorithm regcache cannot verify is invalid', async () => {
    const reference = `sha384:${'a'.repeat(96)}`;
    expect(await verify(body, reference, null)).toMatchObject({ ok: false, detail: { requested: reference } });
  });
});
