import { describe, expect, it } from 'vitest';
import { mergeGrants } from './snapshot-merge.ts';
import { grantFixture, pendingGrantFixture, recordFixture } from './test-support.ts';

describe('snapshot grants', () => {
  const held = recordFixture({ id: 'g1', grant: grantFixture({ id: 'g1' }) });

  it('marks what the device holds on the broker grants, newest first', () => {
    const older = grantFixture({ id: 'g1', createdAt: '2030-01-01T00:00:00.000Z' });
    const newer = pendingGrantFixture({ createdAt: '2030-01-01T00:05:00.000Z' });
    expect(mergeGrants([older, newer], [held], 'alice')).toEqual([
      expect.objectContaining({ id: 'g2', credentialStored: false, wipedLocallyAt: null }),
      expect.objectContaining({ id: 'g1', credentialStored: true, wipedLocallyAt: null }),
    ]);
  });

  it('keeps grants only the device knows (broker unreachable), with the local deadline', () => {
    expect(mergeGrants([], [held], 'alice')).toEqual([
      expect.objectContaining({ id: 'g1', credentialStored: true, expiresAt: held.expiresAt }),
    ]);
  });

  it('shows a wiped grant as not held, with the wipe time', () => {
    const wiped = { ...held, credentialStored: false, wipedAt: '2030-01-01T00:01:00.000Z' };
    expect(mergeGrants([grantFixture({ status: 'revoked' })], [wiped], 'alice')).toEqual([
      expect.objectContaining({
        status: 'revoked',
        credentialStored: false,
        wipedLocallyAt: '2030-01-01T00:01:00.000Z',
      }),
    ]);
  });

  it("never shows another subject's grants", () => {
    const bobs = recordFixture({ id: 'b1', subject: 'bob', grant: grantFixture({ id: 'b1' }) });
    expect(mergeGrants([grantFixture({ id: 'b2', subject: 'bob' })], [bobs], 'alice')).toEqual([]);
  });
});
