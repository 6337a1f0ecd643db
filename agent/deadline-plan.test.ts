import { describe, expect, it } from 'vitest';
import { exportWindowSeconds, localDeadline, planDeadlines } from './deadline-plan.ts';

const T0 = Date.parse('2030-01-01T12:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

describe('planDeadlines', () => {
  it('plans warnings at each mark and the wipe at the deadline', () => {
    const plan = planDeadlines(
      [{ id: 'g1', expiresAt: at(3600_000), wiped: false }],
      T0,
      0,
      [600, 120],
    );
    expect(plan.due).toEqual([]);
    expect(plan.next).toMatchObject({
      kind: 'warn',
      grantId: 'g1',
      at: T0 + 3000_000,
      beforeSeconds: 600,
    });
  });

  it('makes the wipe due once the deadline has passed, even after downtime', () => {
    const plan = planDeadlines(
      [{ id: 'g1', expiresAt: at(1000), wiped: false }],
      T0 + 86_400_000,
      0,
      [600],
    );
    expect(plan.due).toEqual([{ kind: 'wipe', grantId: 'g1', at: T0 + 1000 }]);
    expect(plan.next).toBeNull();
  });

  it('corrects the deadline by the clock offset (broker ahead → local deadline earlier)', () => {
    expect(localDeadline(at(60_000), 5_000)).toBe(T0 + 55_000);
    const plan = planDeadlines(
      [{ id: 'g1', expiresAt: at(60_000), wiped: false }],
      T0 + 56_000,
      5_000,
      [],
    );
    expect(plan.due.map((a) => a.kind)).toEqual(['wipe']);
    const behind = planDeadlines(
      [{ id: 'g1', expiresAt: at(60_000), wiped: false }],
      T0 + 56_000,
      -5_000,
      [],
    );
    expect(behind.due).toEqual([]);
    expect(behind.next).toEqual({ kind: 'wipe', grantId: 'g1', at: T0 + 65_000 });
  });

  it('fires only the most imminent passed warning', () => {
    const plan = planDeadlines(
      [{ id: 'g1', expiresAt: at(60_000), wiped: false }],
      T0,
      0,
      [600, 120, 30],
    );
    expect(plan.due).toEqual([
      { kind: 'warn', grantId: 'g1', at: T0 - 60_000, beforeSeconds: 120, deadline: T0 + 60_000 },
    ]);
    expect(plan.next).toMatchObject({ kind: 'warn', beforeSeconds: 30, at: T0 + 30_000 });
  });

  it('ignores wiped grants and picks the earliest next action across grants', () => {
    const plan = planDeadlines(
      [
        { id: 'old', expiresAt: at(-5000), wiped: true },
        { id: 'late', expiresAt: at(90_000), wiped: false },
        { id: 'soon', expiresAt: at(20_000), wiped: false },
      ],
      T0,
      0,
      [],
    );
    expect(plan.due).toEqual([]);
    expect(plan.next).toEqual({ kind: 'wipe', grantId: 'soon', at: T0 + 20_000 });
  });

  it('wipes at once a grant whose deadline cannot be read (fail closed)', () => {
    const plan = planDeadlines([{ id: 'g1', expiresAt: 'garbage', wiped: false }], T0, 0, [600]);
    expect(plan.due).toEqual([{ kind: 'wipe', grantId: 'g1', at: T0 }]);
  });
});

describe('exportWindowSeconds', () => {
  it('is the configured minimum, capped at a quarter of the grant', () => {
    expect(exportWindowSeconds(3600, 30)).toBe(30);
    expect(exportWindowSeconds(4, 30)).toBe(1);
    expect(exportWindowSeconds(60, 30)).toBe(15);
  });
});
