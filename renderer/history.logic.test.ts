import { describe, expect, it } from 'vitest';
import { aLocalGrant, aPendingGrant, at } from './test-fixtures.ts';
import { historyRows, usedSeconds } from './history.logic.ts';

describe('usedSeconds', () => {
  it('is activation to end, whatever was requested', () => {
    expect(
      usedSeconds(aLocalGrant({ activatedAt: at(10), endedAt: at(130), requestedSeconds: 600 })),
    ).toBe(120);
  });
  it('is null for a grant that never became active or has not ended', () => {
    expect(usedSeconds(aLocalGrant({ activatedAt: null, endedAt: at(5) }))).toBeNull();
    expect(usedSeconds(aLocalGrant({ endedAt: null }))).toBeNull();
  });
});

describe('historyRows', () => {
  const wiped = aLocalGrant({
    id: 'done',
    status: 'revoked',
    endedAt: at(300),
    wipeState: 'wiped',
    wipe: { wipedAt: at(301), receivedAt: at(302), trigger: 'done', items: ['keychain'] },
  });
  const lost = aLocalGrant({
    id: 'lost',
    status: 'expired',
    endedAt: at(600),
    wipeState: 'not_confirmed',
  });
  const denied = aLocalGrant({
    id: 'no',
    status: 'denied',
    activatedAt: null,
    expiresAt: null,
    endedAt: at(100),
    endReason: 'not during the freeze',
  });

  it('keeps only ended grants, most recently ended first', () => {
    const rows = historyRows([
      wiped,
      aLocalGrant({ id: 'live' }),
      aPendingGrant({ id: 'p' }),
      denied,
      lost,
    ]);
    expect(rows.map((r) => r.grant.id)).toEqual(['lost', 'done', 'no']);
  });

  it('shows the receipt time, a missing receipt, and a deny reason', () => {
    const [lostRow, doneRow, deniedRow] = historyRows([wiped, denied, lost]);
    expect(doneRow?.wipe).toEqual({ state: 'wiped', at: at(301) });
    expect(doneRow?.usedSeconds).toBe(300);
    expect(lostRow?.wipe).toEqual({ state: 'not_confirmed' });
    expect(deniedRow?.wipe).toEqual({ state: 'never_issued' });
    expect(deniedRow?.endReason).toBe('not during the freeze');
  });
});
