/** Break-glass roles: active at once, reason required, a `break_glass` audit record, notify groups told. */
import { describe, expect, it } from 'vitest';
import { parsePolicyText } from '../policy/load-policy.ts';
import {
  ManualClock,
  openTestDatabase,
  testLifecycle,
  testPolicy,
  testUser,
} from '../test-support.ts';

const POLICY = `tenant: t
roles:
  - name: db-emergency
    provider: { kind: jwt, audience: a }
    eligible: { groups: [oncall] }
    maxDuration: 30m
    breakGlass: { notify: [security] }
`;

describe('break-glass roles', () => {
  it('activates without approval, records break_glass and tells the notify groups', async () => {
    const db = await openTestDatabase();
    try {
      const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
      const { service, repo } = testLifecycle(db, clock, testPolicy(POLICY));
      const alice = testUser('alice', ['oncall']);
      const missingReason = await service.create(
        () => ({
          kind: 'request',
          id: 'g0',
          tenant: 't',
          body: { role: 'db-emergency', durationSeconds: 600, reason: '' },
          idempotencyKey: null,
          live: null,
        }),
        alice,
      );
      expect(missingReason.ok).toBe(false);
      const created = await service.create(
        () => ({
          kind: 'request',
          id: 'g1',
          tenant: 't',
          body: {
            role: 'db-emergency',
            durationSeconds: 600,
            reason: 'prod down',
            ticket: 'INC-1',
          },
          idempotencyKey: null,
          live: null,
        }),
        alice,
      );
      expect(created).toMatchObject({
        ok: true,
        grant: { status: 'active', approverGroups: ['security'] },
      });
      const audit = await repo.queryAudit({ grant: 'g1', limit: 10 });
      expect(audit.map((r) => r.event)).toEqual(['requested', 'activated', 'break_glass']);
      expect(JSON.parse(audit[2]?.details ?? '{}')).toEqual({
        reason: 'prod down',
        ticket: 'INC-1',
        notify: ['security'],
      });
      const events = await repo.eventsAfter(0, 10);
      expect(events.map((e) => [e.change, e.audience])).toEqual([
        ['activated', { kind: 'owner' }],
        ['activated', { kind: 'approver', groups: ['security'] }],
      ]);
    } finally {
      await db.destroy();
    }
  });

  it('refuses a break-glass role with approvals or without a required reason, naming the field', () => {
    const withApproval = parsePolicyText(
      `${POLICY}    approval: { required: 1, from: [leads] }\n`,
      'p.yaml',
    );
    expect(withApproval).toMatchObject({ status: 'error' });
    expect(withApproval.status === 'error' && withApproval.message).toContain(
      'roles[0].breakGlass: a break-glass role takes no approval',
    );
    const noReason = parsePolicyText(`${POLICY}    reason: { required: false }\n`, 'p.yaml');
    expect(noReason.status === 'error' && noReason.message).toContain(
      'roles[0].reason.required: a break-glass role always requires a reason',
    );
  });
});
