import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localGrantFixture, pendingGrantFixture, snapshotFixture } from '../agent/test-support.ts';
import { formatRequested, formatStatus, secondsLeft } from './format.ts';
import {
  formatAlreadyActive,
  formatApprovals,
  formatDecided,
  formatHistory,
  formatWaitLine,
} from './format-lifecycle.ts';

const grant = localGrantFixture();
const pending = localGrantFixture({ ...pendingGrantFixture(), credentialStored: false });
const T0 = '2030-01-01T00:00:00.000Z';

// Times are the reader's local time: these tests run in Berlin (CET in winter, CEST in summer).
const zoneBefore = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'Europe/Berlin';
});
afterAll(() => {
  if (zoneBefore === undefined) delete process.env.TZ;
  else process.env.TZ = zoneBefore;
});

describe('request output', () => {
  it('states what the broker granted and what is left on its clock', () => {
    const text = formatRequested(grant, '2030-01-01T00:00:01.500Z');
    expect(text).toContain('granted 40m, 39m 58s left (until 01:40:00 CET)');
    expect(text).toContain('eval "$(hourglass env prod-api-readonly)"');
  });

  it('says who can approve a pending grant, how long it may wait, and how to cancel', () => {
    const text = formatRequested(pending, T0);
    expect(text).toContain(
      'grant g2 pending: prod-api-admin, waiting for approval (approvers: approvers (0/1), lapses in 30:00)',
    );
    expect(text).toContain('hourglass cancel g2');
  });

  it('never counts below zero', () => {
    expect(secondsLeft('2030-01-01T00:00:00.000Z', '2030-01-01T00:00:05.000Z')).toBe(0);
    expect(secondsLeft(null, '2030-01-01T00:00:05.000Z')).toBe(0);
  });
});

describe('status', () => {
  it('shows active and pending grants with time left and approvers', () => {
    const text = formatStatus(snapshotFixture([grant, pending]));
    expect(text).toMatch(/prod-api-readonly\s+active\s+40:00\s+yes\s+g1/);
    expect(text).toMatch(
      /prod-api-admin\s+pending\s+request 30:00\s+no\s+g2\s+approvers: approvers \(0\/1\)/,
    );
  });

  it('shows a wiped grant with its receipt time, and a missing receipt as not confirmed', () => {
    const ended = {
      status: 'revoked' as const,
      endedAt: '2029-12-31T23:59:00.000Z',
      credentialStored: false,
    };
    const wiped = localGrantFixture({
      ...ended,
      wipedLocallyAt: '2029-12-31T23:59:01.000Z',
      wipeState: 'wiped',
      wipe: {
        wipedAt: '2029-12-31T23:59:01.000Z',
        receivedAt: '2029-12-31T23:59:02.000Z',
        trigger: 'revoked',
        items: ['keychain'],
      },
    });
    const lost = localGrantFixture({ ...ended, id: 'g3', wipeState: 'not_confirmed' });
    const text = formatStatus(snapshotFixture([wiped, lost]));
    expect(text).toMatch(/revoked\s+-\s+no\s+g1\s+wiped 00:59:01 CET \(receipt 00:59:02 CET\)/);
    expect(text).toMatch(/g3\s+wipe not confirmed/);
  });

  it('shows a grant whose access could not be removed at the target loudly, however old', () => {
    const stuck = localGrantFixture({
      status: 'revoked',
      endedAt: '2029-12-30T00:00:00.000Z',
      credentialStored: false,
      wipeState: 'wiped',
      irrevocableAt: '2029-12-30T00:02:00.000Z',
    });
    const text = formatStatus(snapshotFixture([stuck]));
    expect(text).toContain(
      'ALARM: access of prod-api-readonly (grant g1) could not be removed at its target since 2029-12-30 01:02:00 CET',
    );
    expect(text).toMatch(/prod-api-readonly\s+revoked IRREVOCABLE\s+-/);
    expect(formatHistory([stuck], T0)).toMatch(/revoked IRREVOCABLE/);
    expect(formatStatus(snapshotFixture([{ ...stuck, irrevocableAt: null }]))).toContain(
      'No active grants.',
    );
  });

  it('says when it shows only what the device holds (offline)', () => {
    const snapshot = snapshotFixture([grant]);
    snapshot.connection = { state: 'offline', message: 'The broker is unreachable', since: T0 };
    expect(formatStatus(snapshot)).toContain(
      'Offline: The broker is unreachable (showing what this device holds)',
    );
  });

  it('points an approver at the approvals waiting', () => {
    const approval = {
      kind: 'request' as const,
      grant: pending,
      durationSeconds: 900,
      waitsUntil: T0,
    };
    expect(formatStatus(snapshotFixture([], [approval]))).toContain(
      '1 request(s) wait for your approval: `hourglass approvals`',
    );
  });
});

describe('lifecycle output', () => {
  it('draws the live wait line', () => {
    expect(formatWaitLine(pending, '2030-01-01T00:10:00.000Z')).toBe(
      'prod-api-admin (grant g2) waiting for approval — approvers: approvers (0/1); may wait 20:00 more',
    );
  });

  it('offers extend for a role already held, naming the existing command', () => {
    expect(formatAlreadyActive('prod-api-readonly', 'g1', grant, T0)).toBe(
      'You already hold prod-api-readonly (grant g1, 40m left (until 01:40:00 CET)).\n' +
        'Extend it instead: hourglass extend prod-api-readonly --for <duration>\n',
    );
  });

  it('shows the deny reason to the requester', () => {
    const denied = {
      ...pending,
      status: 'denied' as const,
      endedBy: 'i#bob',
      endReason: 'use readonly',
    };
    expect(formatDecided(denied, T0)).toBe(
      'grant g2 denied: prod-api-admin by bob — use readonly\n',
    );
  });

  it('lists approvals with the commands to decide', () => {
    const approval = {
      kind: 'request' as const,
      grant: pending,
      durationSeconds: 900,
      waitsUntil: '2030-01-01T00:30:00.000Z',
    };
    const text = formatApprovals([approval], T0);
    expect(text).toMatch(/g2\s+Alice\s+prod-api-admin\s+request\s+15m\s+30:00\s+INC-1/);
    expect(text).toContain('hourglass approve g2');
    expect(text).toContain('hourglass deny g2 --reason');
  });

  it('history compares requested and used time', () => {
    const done = localGrantFixture({
      status: 'revoked',
      activatedAt: T0,
      endedAt: '2030-01-01T00:10:00.000Z',
      approvals: [{ by: 'i#bob', byName: 'Bob', at: T0, comment: null }],
    });
    expect(formatHistory([done], T0)).toMatch(/prod-api-readonly\s+revoked\s+40m\s+10m\s+Bob/);
    // When it was requested: always with the date (a history spans days), in local time.
    expect(formatHistory([done], T0)).toMatch(/^2030-01-01 01:00:00 CET\s+prod-api-readonly/m);
  });
});
