import { describe, expect, it } from 'vitest';
import type { LocalGrant } from '../protocol/agent-api.ts';
import { formatCountdown } from '../protocol/duration.ts';
import { aLocalGrant } from './test-fixtures.ts';
import { clockOffsetMs, remainingSeconds, visibleGrants } from './grant-clock.logic.ts';

const t0 = Date.parse('2030-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function grant(
  id: string,
  status: LocalGrant['status'],
  expiresInS: number | null,
  createdOffsetS = 0,
): LocalGrant {
  return aLocalGrant({
    id,
    role: `role-${id}`,
    status,
    createdAt: iso(t0 + createdOffsetS * 1000),
    activatedAt: null,
    expiresAt: expiresInS === null ? null : iso(t0 + expiresInS * 1000),
  });
}

describe('clockOffsetMs', () => {
  it('is the broker clock minus the local clock', () => {
    expect(clockOffsetMs(iso(t0 + 5000), t0)).toBe(5000);
    expect(clockOffsetMs(iso(t0 - 90_000), t0)).toBe(-90_000);
  });
  it('is 0 for an unreadable instant', () => {
    expect(clockOffsetMs('soon', t0)).toBe(0);
  });
});

describe('remainingSeconds', () => {
  it('counts down on the broker clock, whatever the local clock says', () => {
    const expires = iso(t0 + 20_000);
    // Local clock 1 h slow; broker said now = t0 when the local clock read t0 - 1 h.
    const offset = clockOffsetMs(iso(t0), t0 - 3_600_000);
    expect(remainingSeconds(expires, t0 - 3_600_000, offset)).toBe(20);
    expect(remainingSeconds(expires, t0 - 3_600_000 + 2_000, offset)).toBe(18);
    expect(formatCountdown(remainingSeconds(expires, t0 - 3_600_000 + 2_500, offset))).toBe('0:17');
  });
  it('never goes below 0', () => {
    expect(remainingSeconds(iso(t0), t0 + 60_000, 0)).toBe(0);
    expect(remainingSeconds('bad', t0, 0)).toBe(0);
  });
});

describe('visibleGrants', () => {
  it('shows active grants soonest first, then pending oldest first; drops ended ones', () => {
    const grants = [
      grant('late', 'active', 600),
      grant('p2', 'pending', null, 5),
      grant('soon', 'active', 30),
      grant('gone', 'expired', 100),
      grant('no', 'denied', null),
      grant('rev', 'revoked', 100),
      grant('p1', 'pending', null, 1),
    ];
    expect(visibleGrants(grants, t0, 0).map((g) => [g.grant.id, g.secondsLeft])).toEqual([
      ['soon', 30],
      ['late', 600],
      ['p1', null],
      ['p2', null],
    ]);
  });
  it('drops an active grant once its deadline passes', () => {
    const grants = [grant('a', 'active', 2)];
    expect(visibleGrants(grants, t0 + 1000, 0)).toHaveLength(1);
    expect(visibleGrants(grants, t0 + 2000, 0)).toHaveLength(0);
  });
});
