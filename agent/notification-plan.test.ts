import { describe, expect, it } from 'vitest';
import type { AgentNotice } from '../protocol/index.ts';
import { planNotices } from './notification-plan.ts';
import {
  grantFixture,
  localGrantFixture,
  pendingGrantFixture,
  snapshotFixture,
} from './test-support.ts';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const deadline = '2030-01-01T00:40:00.000Z';
const at = (minutesBefore: number) => Date.parse(deadline) - minutesBefore * 60_000;
const active = localGrantFixture({ expiresAt: deadline });
const pending = localGrantFixture({ ...pendingGrantFixture(), credentialStored: false });
const kinds = (notices: AgentNotice[]) => notices.map((n) => [n.kind, n.id]);

describe('notification planner', () => {
  it.each([
    ['before the first mark', 11, []],
    ['at the 10 min mark', 10, [['expiring', `expiring:g1:600:${deadline}`]]],
    ['between the marks', 5, [['expiring', `expiring:g1:600:${deadline}`]]],
    [
      'past the 2 min mark, only the imminent one',
      1,
      [['expiring', `expiring:g1:120:${deadline}`]],
    ],
    ['after the deadline', -1, []],
  ])('warning marks: %s', (_name, minutesBefore, expected) => {
    const snap = snapshotFixture([active]);
    expect(kinds(planNotices({ previous: snap, next: snap, now: at(minutesBefore) }))).toEqual(
      expected,
    );
  });

  it('honours configured marks and offers Extend', () => {
    const snap = snapshotFixture([active]);
    const [warn] = planNotices({
      previous: null,
      next: snap,
      now: at(0.5),
      warnBeforeSeconds: [60],
    });
    expect(warn).toMatchObject({ kind: 'expiring', actions: ['extend'], title: /expires in 30s/ });
  });

  it('an extension re-arms the warnings under a new id', () => {
    const later = '2030-01-01T01:00:00.000Z';
    const before = snapshotFixture([active]);
    const after = snapshotFixture([{ ...active, expiresAt: later }]);
    expect(kinds(planNotices({ previous: before, next: after, now: at(1) }))).toEqual([
      ['extended', `extended:g1:${later}`],
    ]);
  });

  it.each([
    [
      'approved',
      pending,
      {
        ...pending,
        status: 'active' as const,
        expiresAt: '2030-01-01T01:00:00.000Z',
        approvals: [{ by: 'i#bob', byName: 'Bob', at: deadline, comment: null }],
      },
      [['approved', 'approved:g2']],
    ],
    [
      'denied, with the reason',
      pending,
      { ...pending, status: 'denied' as const, endedBy: 'i#bob', endReason: 'use readonly' },
      [['denied', 'denied:g2']],
    ],
    [
      'revoked by someone else',
      active,
      { ...active, status: 'revoked' as const, endedBy: 'i#bob' },
      [['revoked', 'revoked:g1']],
    ],
    [
      'revoked by the owner: no notice',
      active,
      { ...active, status: 'revoked' as const, endedBy: 'i#alice' },
      [],
    ],
    ['expired', active, { ...active, status: 'expired' as const }, [['expired', 'expired:g1']]],
    ['wiped locally', active, { ...active, wipedLocallyAt: deadline }, [['wiped', 'wiped:g1']]],
  ])('status change: %s', (_name, before, after, expected) => {
    const notices = planNotices({
      previous: snapshotFixture([before]),
      next: snapshotFixture([after]),
      now: T0,
    });
    expect(kinds(notices)).toEqual(expected);
  });

  it('the deny notice carries the reason', () => {
    const [denied] = planNotices({
      previous: snapshotFixture([pending]),
      next: snapshotFixture([
        { ...pending, status: 'denied', endedBy: 'i#bob', endReason: 'use readonly' },
      ]),
      now: T0,
    });
    expect(denied).toMatchObject({ title: 'prod-api-admin denied by bob', body: /use readonly/ });
  });

  it('announces each new approval once, with approve and deny', () => {
    const approval = {
      kind: 'request' as const,
      grant: grantFixture({ ...pendingGrantFixture(), subject: 'carol', requesterName: 'Carol' }),
      durationSeconds: 900,
      waitsUntil: deadline,
    };
    const none = snapshotFixture([]);
    const waiting = snapshotFixture([], [approval]);
    const first = planNotices({ previous: none, next: waiting, now: T0 });
    expect(first).toEqual([
      expect.objectContaining({
        kind: 'approval_needed',
        id: `approval_needed:g2:request:${approval.grant.createdAt}`,
        actions: ['approve', 'deny'],
        title: 'Carol asks for access to prod-api-admin',
      }),
    ]);
    expect(planNotices({ previous: waiting, next: waiting, now: T0 })).toEqual([]);
  });

  it('says nothing about transitions without a previous snapshot', () => {
    expect(planNotices({ previous: null, next: snapshotFixture([pending]), now: T0 })).toEqual([]);
  });
});
