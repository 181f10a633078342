import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/sw/storage/migrations.js';
import { SCHEMA_VERSION } from '../../src/sw/storage/schema.js';

// The opener applies every step whose `to` is above the database's version, in list order:
// the list must climb one version at a time and end at the version it opens.
describe('schema migrations', () => {
  it('are one step per version, in order, ending at SCHEMA_VERSION', () => {
    const first = MIGRATIONS[0]?.to ?? 0;
    expect(MIGRATIONS.map((m) => m.to)).toEqual(Array.from({ length: SCHEMA_VERSION - first + 1 }, (_, i) => first + i));
  });
});
