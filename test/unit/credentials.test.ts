import { describe, expect, it } from 'vitest';
import { couldCarryCredentials, credentialKey } from '../../src/sw/strategy/credentials.js';

const OWN = 'https://app.example';
const OTHER = 'https://registry.example';

describe('couldCarryCredentials', () => {
  it.each<[string, string, string | null, RequestCredentials, boolean]>([
    ['omit, no Authorization', OWN, null, 'omit', false],
    ['same-origin to another origin', OTHER, null, 'same-origin', false],
    ['same-origin to the own origin: cookies ride', OWN, null, 'same-origin', true],
    ['include to another origin: cookies ride', OTHER, null, 'include', true],
    ['an Authorization header, even with omit', OTHER, 'Bearer x', 'omit', true],
  ])('%s', (_, upstream, authorization, credentials, expected) => {
    expect(couldCarryCredentials({ upstream, authorization, credentials }, OWN)).toBe(expected);
  });
});

describe('credentialKey', () => {
  it('tells credentials modes and Authorization values apart', () => {
    const keys = new Set([
      credentialKey({ authorization: null, credentials: 'omit' }),
      credentialKey({ authorization: null, credentials: 'include' }),
      credentialKey({ authorization: 'Bearer a', credentials: 'include' }),
      credentialKey({ authorization: 'Bearer b', credentials: 'include' }),
    ]);
    expect(keys.size).toBe(4);
  });
});
