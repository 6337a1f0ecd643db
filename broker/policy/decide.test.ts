import { describe, expect, it } from 'vitest';
import { decideRequest, eligibleRoles, summarizeRole, ticketMatches } from './decide.ts';
import { parsePolicyText } from './load-policy.ts';
import type { Policy } from './policy-schema.ts';

const POLICY = `
tenant: t
roles:
  - name: ro
    provider: { kind: jwt, audience: https://api }
    eligible: { groups: [engineers] }
    maxDuration: 1h
    reason: { required: true }
  - name: admin
    provider: { kind: jwt, audience: https://api }
    eligible: { groups: [engineers] }
    maxDuration: 30m
    approval: { required: 1, from: [approvers] }
    reason: { required: true }
    ticketPattern: '^INC-[0-9]+$'
  - name: audit
    provider: { kind: jwt, audience: https://audit }
    eligible: { groups: [auditors] }
    maxDuration: 4h
    reason: { required: false }
`;

function policy(): Policy {
  const parsed = parsePolicyText(POLICY, 'test.yaml');
  if (parsed.status !== 'success') throw new Error(parsed.message);
  return parsed.policy;
}

const now = new Date('2030-01-01T00:00:00Z');
const engineer = { subject: 'alice', groups: ['engineers'] };
const auditor = { subject: 'carol', groups: ['auditors'] };

describe('eligibleRoles', () => {
  it.each([
    [['engineers'], ['ro', 'admin']],
    [['auditors'], ['audit']],
    [
      ['engineers', 'auditors'],
      ['ro', 'admin', 'audit'],
    ],
    [[], []],
    [['Engineers'], []],
  ])('groups %j see %j', (groups, names) => {
    expect(eligibleRoles(policy(), groups).map((r) => r.name)).toEqual(names);
  });

  it('summarizes the policy shown before asking', () => {
    const admin = policy().roles[1]!;
    expect(summarizeRole(admin, 'demo')).toEqual({
      tenant: 'demo',
      extension: {
        maxCount: admin.extension.maxCount,
        maxTotalSeconds: admin.extension.maxTotal,
        requiresApproval: false,
      },
      name: 'admin',
      description: '',
      provider: 'jwt',
      maxDurationSeconds: 1800,
      approvalsRequired: 1,
      approverGroups: ['approvers'],
      reasonRequired: true,
      ticketPattern: '^INC-[0-9]+$',
    });
  });
});

describe('decideRequest', () => {
  const cases: Array<{
    name: string;
    caller: { subject: string; groups: string[]; sessionEndsAt?: Date };
    body: { role: string; durationSeconds: number; reason?: string; ticket?: string };
    expect: { status: string; grantedSeconds?: number; code?: string; message?: RegExp };
  }> = [
    {
      name: 'no-approval role within max → active',
      caller: engineer,
      body: { role: 'ro', durationSeconds: 600, reason: 'incident' },
      expect: { status: 'active', grantedSeconds: 600 },
    },
    {
      name: 'exactly max → active with max',
      caller: engineer,
      body: { role: 'ro', durationSeconds: 3600, reason: 'x' },
      expect: { status: 'active', grantedSeconds: 3600 },
    },
    {
      name: 'session shorter than request caps it',
      caller: { ...engineer, sessionEndsAt: new Date(now.getTime() + 120_000) },
      body: { role: 'ro', durationSeconds: 600, reason: 'x' },
      expect: { status: 'active', grantedSeconds: 120 },
    },
    {
      name: 'over max → policy_violation naming the max',
      caller: engineer,
      body: { role: 'ro', durationSeconds: 3601, reason: 'x' },
      expect: { status: 'error', code: 'policy_violation', message: /at most 1h \(3600s\)/ },
    },
    {
      name: 'missing reason → policy_violation',
      caller: engineer,
      body: { role: 'ro', durationSeconds: 60, reason: '   ' },
      expect: { status: 'error', code: 'policy_violation', message: /needs a reason/ },
    },
    {
      name: 'absent reason on a role that requires one → policy_violation naming --reason',
      caller: engineer,
      body: { role: 'ro', durationSeconds: 60 },
      expect: { status: 'error', code: 'policy_violation', message: /needs a reason.*--reason/ },
    },
    {
      name: 'absent reason on a role where it is optional → ok',
      caller: auditor,
      body: { role: 'audit', durationSeconds: 60 },
      expect: { status: 'active', grantedSeconds: 60 },
    },
    {
      name: 'reason optional → ok without',
      caller: auditor,
      body: { role: 'audit', durationSeconds: 60, reason: '' },
      expect: { status: 'active', grantedSeconds: 60 },
    },
    {
      name: 'approval role → pending',
      caller: engineer,
      body: { role: 'admin', durationSeconds: 900, reason: 'x', ticket: 'INC-42' },
      expect: { status: 'pending', grantedSeconds: 900 },
    },
    {
      name: 'ticket missing',
      caller: engineer,
      body: { role: 'admin', durationSeconds: 900, reason: 'x' },
      expect: { status: 'error', code: 'policy_violation', message: /ticket matching/ },
    },
    {
      name: 'ticket mismatch',
      caller: engineer,
      body: { role: 'admin', durationSeconds: 900, reason: 'x', ticket: 'JIRA-1' },
      expect: { status: 'error', code: 'policy_violation', message: /\^INC-\[0-9\]\+\$/ },
    },
    {
      name: 'unknown role → not_found',
      caller: engineer,
      body: { role: 'nope', durationSeconds: 60, reason: 'x' },
      expect: { status: 'error', code: 'not_found' },
    },
    {
      name: 'ineligible role looks like unknown',
      caller: auditor,
      body: { role: 'ro', durationSeconds: 60, reason: 'x' },
      expect: { status: 'error', code: 'not_found' },
    },
  ];

  it.each(cases)('$name', (c) => {
    const decision = decideRequest(policy(), c.caller, c.body, now);
    if (decision.status === 'error') {
      expect(c.expect.status).toBe('error');
      expect(decision.code).toBe(c.expect.code);
      if (c.expect.message) expect(decision.message).toMatch(c.expect.message);
      return;
    }
    expect(decision.plan.status).toBe(c.expect.status);
    expect(decision.plan.grantedSeconds).toBe(c.expect.grantedSeconds);
    if (decision.plan.status === 'active') {
      expect(decision.plan.activatedAt).toEqual(now);
      expect(decision.plan.expiresAt!.getTime()).toBe(
        now.getTime() + c.expect.grantedSeconds! * 1000,
      );
    } else {
      expect(decision.plan.expiresAt).toBeNull();
    }
  });

  it('gives the same message for unknown and ineligible roles', () => {
    const unknown = decideRequest(
      policy(),
      auditor,
      { role: 'zzz', durationSeconds: 60, reason: 'x' },
      now,
    );
    const hidden = decideRequest(
      policy(),
      auditor,
      { role: 'ro', durationSeconds: 60, reason: 'x' },
      now,
    );
    expect(unknown.status === 'error' && unknown.message.replace('zzz', 'ro')).toBe(
      hidden.status === 'error' && hidden.message,
    );
  });
});

describe('ticketMatches', () => {
  it.each([
    ['INC-[0-9]+', 'INC-42', true],
    ['INC-[0-9]+', 'nope, not INC-1', false],
    ['INC-[0-9]+', 'INC-1 and more', false],
    ['^INC-[0-9]+$', 'INC-7', true],
    ['INC-1|CHG-2', 'xCHG-2', false],
    ['INC-1|CHG-2', 'CHG-2', true],
  ])('%s against %j is %s', (pattern, ticket, expected) => {
    expect(ticketMatches(pattern, ticket)).toBe(expected);
  });
});

describe('a pending request waits no longer than the requester session (SECURITY 14)', () => {
  it('caps the request TTL by the session end, and keeps the policy TTL otherwise', () => {
    const body = { role: 'admin', durationSeconds: 900, reason: 'x', ticket: 'INC-1' };
    const short = decideRequest(
      policy(),
      { ...engineer, sessionEndsAt: new Date(now.getTime() + 120_000) },
      body,
      now,
    );
    if (short.status !== 'grant') throw new Error('expected a plan');
    expect(short.plan.requestExpiresAt).toEqual(new Date(now.getTime() + 120_000));
    const long = decideRequest(policy(), engineer, body, now);
    if (long.status !== 'grant') throw new Error('expected a plan');
    expect(long.plan.requestExpiresAt).toEqual(new Date(now.getTime() + 3600_000));
  });
});
