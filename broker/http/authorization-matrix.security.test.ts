/**
 * Threat: a caller doing what the policy does not let them do: approving their own request,
 * acting on a role they are not eligible for, going past a maximum or a budget, extending a grant
 * that has ended, reaching into another tenant, reading the audit or the approvals of others
 * (SECURITY.md requirements 14 and 15), and a refusal that still leaves a row behind.
 *
 * One live broker serving two tenants (the demo policy, and a tenant policy of its own) on an
 * injected clock; callers are tokens for any subject and groups from a small local issuer. Each
 * row: who, which action, on what, the answer code; on a refusal every table of both tenants is
 * the same before and after, row for row.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodySchema } from '../../protocol/errors.ts';
import { grantResponseSchema } from '../../protocol/broker-api.ts';
import { startBenchIssuer, type BenchIssuer } from '../../bench/bench-issuer.ts';
import { BROKER_AUDIENCE } from '../../demo/stack.ts';
import { parseBrokerConfig } from '../config.ts';
import { startBroker, type RunningBroker } from '../start-broker.ts';
import { ManualClock } from '../test-support.ts';
import { call, waitFor } from './live-harness.ts';
import { tenantsConfig } from './tenants-harness.ts';

const demoPolicy = readFileSync(
  fileURLToPath(new URL('../../demo/policy.yaml', import.meta.url)),
  'utf8',
);
const otherPolicy = `tenant: other
admins: { groups: [ops-admins] }
auditors: { groups: [ops-auditors] }
roles:
  - name: db-write
    provider: { kind: jwt, audience: https://db.other.internal }
    eligible: { groups: [engineers] }
    maxDuration: 2h
    approval: { required: 1, from: [dba] }
    reason: { required: true }
    extension: { maxCount: 1, maxTotal: 3h }
  - name: db-read
    provider: { kind: jwt, audience: https://db.other.internal }
    eligible: { groups: [engineers] }
    maxDuration: 1h
    reason: { required: false }
`;

const clock = new ManualClock(new Date());
let issuer: BenchIssuer;
let broker: RunningBroker;
let serial = 0;

beforeAll(async () => {
  issuer = await startBenchIssuer();
  const config = await tenantsConfig(
    [{ issuer: issuer.issuer, audience: BROKER_AUDIENCE }],
    [
      { name: 'demo', policy: demoPolicy },
      { name: 'other', policy: otherPolicy },
    ],
  );
  const parsed = parseBrokerConfig(config);
  if (parsed.status === 'error') throw new Error(parsed.message);
  broker = await startBroker(parsed.config, {
    clock,
    onInternalError: (error) => {
      throw error;
    },
  });
});
const tally = { rows: 0, refusals: 0 };
afterAll(async () => {
  process.stderr.write(
    `authorization matrix: ${tally.rows} rows right (${tally.refusals} refusals, each with 0 rows changed) of ${rows.length}\n`,
  );
  await broker?.close();
  await issuer?.close();
});

type Tenant = 'demo' | 'other';
/** A caller: a fresh subject in `groups`, or a given one (the requester acting again). */
interface Caller {
  subject: string;
  groups: string[];
}
const person = (...groups: string[]): Caller => ({ subject: `u${(serial += 1)}`, groups });

async function tokenOf(caller: Caller): Promise<string> {
  const now = clock.now();
  return issuer.token({
    subject: caller.subject,
    groups: caller.groups,
    audience: BROKER_AUDIENCE,
    issuedAt: now,
    expiresAt: new Date(now.getTime() + 8 * 3600_000),
  });
}

const base = (tenant: Tenant) => ({ url: `${broker.url}/tenants/${tenant}` });

async function act(tenant: Tenant, caller: Caller, method: string, path: string, body?: unknown) {
  return call(base(tenant), method, path, await tokenOf(caller), body);
}

/** A grant of `role` requested by `caller` (active or pending, as the policy says). */
async function grantOf(tenant: Tenant, caller: Caller, role: string, seconds = 600) {
  const answer = await act(tenant, caller, 'POST', '/v1/requests', {
    role,
    durationSeconds: seconds,
    reason: 'matrix',
    ...(role === 'prod-api-admin' ? { ticket: 'INC-7' } : {}),
  });
  if (answer.status !== 201) throw new Error(`seed ${role}: ${JSON.stringify(answer.body)}`);
  return grantResponseSchema.parse(answer.body).grant.id;
}

/** Every row of every table of both tenants, in a stable order. */
async function snapshot(): Promise<string> {
  const tables = ['grants', 'audit', 'audit_checkpoints', 'outbox', 'events', 'issued_tokens'];
  const out: Record<string, unknown> = {};
  for (const tenant of ['demo', 'other'] as const) {
    const { db } = broker.tenant(tenant);
    for (const table of tables) {
      const rows = await db
        .selectFrom(table as 'grants')
        .selectAll()
        .execute();
      out[`${tenant}.${table}`] = rows.map((r) => JSON.stringify(r)).sort();
    }
  }
  return JSON.stringify(out);
}

/** A snapshot once background work (outbox, events) has settled: two equal reads in a row. */
async function settled(): Promise<string> {
  let last = await snapshot();
  return waitFor(
    async () => {
      const next = await snapshot();
      const same = next === last;
      last = next;
      return same ? next : undefined;
    },
    'the store to settle',
    10_000,
  );
}

/** The action under test, once its row is set up. */
type Action = () => Promise<{ status: number; body: unknown }>;

/** One row of the matrix: set up, then the action under test. */
interface Row {
  name: string;
  /** Answer status and, for a refusal, the error code. */
  expect: [number, string?];
  run(): Action | Promise<Action>;
}

const engineer = () => person('engineers');
const approver = () => person('engineers', 'approvers');
const auditor = () => person('auditors');
const sreLead = () => person('sre-leads');
const dba = () => person('dba');

const rows: Row[] = [
  // request
  {
    name: 'request: eligible engineer, within the maximum',
    expect: [201],
    run: () => {
      const c = engineer();
      return () =>
        act('demo', c, 'POST', '/v1/requests', {
          role: 'prod-api-readonly',
          durationSeconds: 600,
          reason: 'x',
        });
    },
  },
  {
    name: 'request: ineligible (auditor asks for an engineer role)',
    expect: [404, 'not_found'],
    run: () => {
      const c = auditor();
      return () =>
        act('demo', c, 'POST', '/v1/requests', {
          role: 'prod-api-readonly',
          durationSeconds: 600,
          reason: 'x',
        });
    },
  },
  {
    name: 'request: over the role maximum',
    expect: [400, 'policy_violation'],
    run: () => {
      const c = engineer();
      return () =>
        act('demo', c, 'POST', '/v1/requests', {
          role: 'prod-api-readonly',
          durationSeconds: 3601,
          reason: 'x',
        });
    },
  },
  {
    name: 'request: break-glass by a non-approver (ineligible)',
    expect: [404, 'not_found'],
    run: () => {
      const c = engineer();
      return () =>
        act('demo', c, 'POST', '/v1/requests', {
          role: 'prod-api-breakglass',
          durationSeconds: 600,
          reason: 'fire',
        });
    },
  },
  {
    name: 'request: break-glass by an approver is active at once',
    expect: [201],
    run: () => {
      const c = approver();
      return () =>
        act('demo', c, 'POST', '/v1/requests', {
          role: 'prod-api-breakglass',
          durationSeconds: 600,
          reason: 'fire',
        });
    },
  },
  {
    name: 'request: a second live grant of the same role',
    expect: [409, 'already_active'],
    run: async () => {
      const c = engineer();
      await grantOf('demo', c, 'prod-api-readonly');
      return () =>
        act('demo', c, 'POST', '/v1/requests', {
          role: 'prod-api-readonly',
          durationSeconds: 600,
          reason: 'x',
        });
    },
  },
  {
    name: 'request: cross-tenant (a demo role asked of tenant other)',
    expect: [404, 'not_found'],
    run: () => {
      const c = engineer();
      return () =>
        act('other', c, 'POST', '/v1/requests', {
          role: 'prod-api-readonly',
          durationSeconds: 600,
          reason: 'x',
        });
    },
  },
  // approve
  {
    name: 'approve: another approver',
    expect: [200],
    run: async () => {
      const id = await grantOf('demo', engineer(), 'prod-api-admin');
      const a = approver();
      return () => act('demo', a, 'POST', `/v1/grants/${id}/approve`, {});
    },
  },
  {
    name: 'approve: self-approval by an approver',
    expect: [403, 'not_approver'],
    run: async () => {
      const a = approver();
      const id = await grantOf('demo', a, 'prod-api-admin');
      return () => act('demo', a, 'POST', `/v1/grants/${id}/approve`, {});
    },
  },
  {
    name: 'approve: an engineer who is not an approver (the request is not even visible)',
    expect: [404, 'not_found'],
    run: async () => {
      const id = await grantOf('demo', engineer(), 'prod-api-admin');
      const e = engineer();
      return () => act('demo', e, 'POST', `/v1/grants/${id}/approve`, {});
    },
  },
  {
    name: 'approve: an auditor (the request is not even visible)',
    expect: [404, 'not_found'],
    run: async () => {
      const id = await grantOf('demo', engineer(), 'prod-api-admin');
      const c = auditor();
      return () => act('demo', c, 'POST', `/v1/grants/${id}/approve`, {});
    },
  },
  {
    name: 'approve: an admin (admins revoke, they do not approve)',
    expect: [403, 'not_approver'],
    run: async () => {
      const id = await grantOf('demo', engineer(), 'prod-api-admin');
      const c = sreLead();
      return () => act('demo', c, 'POST', `/v1/grants/${id}/approve`, {});
    },
  },
  {
    name: 'approve: cross-tenant (a demo grant through tenant other, by its dba)',
    expect: [404, 'not_found'],
    run: async () => {
      const id = await grantOf('demo', engineer(), 'prod-api-admin');
      const c = dba();
      return () => act('other', c, 'POST', `/v1/grants/${id}/approve`, {});
    },
  },
  {
    name: "approve: tenant policy: a demo approver is not in other's approver groups (not visible)",
    expect: [404, 'not_found'],
    run: async () => {
      const id = await grantOf('other', engineer(), 'db-write');
      const a = approver();
      return () => act('other', a, 'POST', `/v1/grants/${id}/approve`, {});
    },
  },
  {
    name: 'approve: tenant policy: its dba approves',
    expect: [200],
    run: async () => {
      const id = await grantOf('other', engineer(), 'db-write');
      const c = dba();
      return () => act('other', c, 'POST', `/v1/grants/${id}/approve`, {});
    },
  },
  // deny
  {
    name: 'deny: another approver',
    expect: [200],
    run: async () => {
      const id = await grantOf('demo', engineer(), 'prod-api-admin');
      const a = approver();
      return () => act('demo', a, 'POST', `/v1/grants/${id}/deny`, { comment: 'no' });
    },
  },
  {
    name: 'deny: self by an approver',
    expect: [403, 'not_approver'],
    run: async () => {
      const a = approver();
      const id = await grantOf('demo', a, 'prod-api-admin');
      return () => act('demo', a, 'POST', `/v1/grants/${id}/deny`, {});
    },
  },
  {
    name: 'deny: an engineer who is not an approver (the request is not even visible)',
    expect: [404, 'not_found'],
    run: async () => {
      const id = await grantOf('demo', engineer(), 'prod-api-admin');
      const e = engineer();
      return () => act('demo', e, 'POST', `/v1/grants/${id}/deny`, {});
    },
  },
  // extend
  {
    name: 'extend: own active grant, within the budget',
    expect: [200],
    run: async () => {
      const c = engineer();
      const id = await grantOf('demo', c, 'prod-api-readonly');
      return () => act('demo', c, 'POST', `/v1/grants/${id}/extend`, { durationSeconds: 1200 });
    },
  },
  {
    name: "extend: someone else's grant",
    expect: [404, 'not_found'],
    run: async () => {
      const id = await grantOf('demo', engineer(), 'prod-api-readonly');
      const e = engineer();
      return () => act('demo', e, 'POST', `/v1/grants/${id}/extend`, { durationSeconds: 600 });
    },
  },
  {
    name: 'extend: over the budget (tenant policy maxTotal 3h)',
    expect: [400, 'policy_violation'],
    run: async () => {
      const c = engineer();
      const id = await grantOf('other', c, 'db-read');
      return () =>
        act('other', c, 'POST', `/v1/grants/${id}/extend`, { durationSeconds: 4 * 3600 });
    },
  },
  {
    name: 'extend: after expiry',
    expect: [409, 'invalid_state'],
    run: async () => {
      const c = engineer();
      const id = await grantOf('demo', c, 'prod-api-readonly', 60);
      clock.advance(61_000);

      return () => act('demo', c, 'POST', `/v1/grants/${id}/extend`, { durationSeconds: 60 });
    },
  },
  // revoke
  {
    name: 'revoke: own grant',
    expect: [200],
    run: async () => {
      const c = engineer();
      const id = await grantOf('demo', c, 'prod-api-readonly');
      return () => act('demo', c, 'POST', `/v1/grants/${id}/revoke`, {});
    },
  },
  {
    name: "revoke: someone else's grant, as an engineer",
    expect: [404, 'not_found'],
    run: async () => {
      const id = await grantOf('demo', engineer(), 'prod-api-readonly');
      const e = engineer();
      return () => act('demo', e, 'POST', `/v1/grants/${id}/revoke`, {});
    },
  },
  {
    name: "revoke: anyone's grant, as an admin",
    expect: [200],
    run: async () => {
      const id = await grantOf('demo', engineer(), 'prod-api-readonly');
      const c = sreLead();
      return () => act('demo', c, 'POST', `/v1/grants/${id}/revoke`, {});
    },
  },
  {
    name: "revoke: cross-tenant admin (other's ops-admins on a demo grant)",
    expect: [404, 'not_found'],
    run: async () => {
      const id = await grantOf('demo', engineer(), 'prod-api-readonly');
      const c = person('ops-admins');
      return () => act('other', c, 'POST', `/v1/grants/${id}/revoke`, {});
    },
  },
  // audit
  {
    name: 'audit: an auditor reads it',
    expect: [200],
    run: () => {
      const c = auditor();
      return () => act('demo', c, 'GET', '/v1/audit');
    },
  },
  {
    name: 'audit: an engineer may not',
    expect: [403, 'forbidden'],
    run: () => {
      const c = engineer();
      return () => act('demo', c, 'GET', '/v1/audit');
    },
  },
  {
    name: 'audit: an approver may not',
    expect: [403, 'forbidden'],
    run: () => {
      const c = approver();
      return () => act('demo', c, 'GET', '/v1/audit');
    },
  },
  {
    name: 'audit: cross-tenant (a demo auditor at tenant other)',
    expect: [403, 'forbidden'],
    run: () => {
      const c = auditor();
      return () => act('other', c, 'GET', '/v1/audit');
    },
  },
  // approvals
  {
    name: 'approvals: an approver lists them',
    expect: [200],
    run: () => {
      const c = approver();
      return () => act('demo', c, 'GET', '/v1/approvals');
    },
  },
];

describe('authorization matrix: role × caller × action, demo and tenant policies', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const action = await row.run();
    const before = await settled();
    const answer = await action();
    const [status, code] = row.expect;
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    if (code !== undefined) {
      expect(errorBodySchema.parse(answer.body).error.code).toBe(code);
      // A refusal changes no row of any table of either tenant.
      expect(await snapshot()).toBe(before);
      tally.refusals += 1;
    } else if (!/^(audit|approvals):/.test(row.name)) {
      // An allowed write does change rows: the snapshot can see a change.
      expect(await snapshot()).not.toBe(before);
    }
    tally.rows += 1;
  });

  it('approvals: an engineer sees none of the requests they cannot approve', async () => {
    await grantOf('demo', engineer(), 'prod-api-admin');
    const answer = await act('demo', engineer(), 'GET', '/v1/approvals');
    expect(answer.status).toBe(200);
    expect((answer.body as { approvals: unknown[] }).approvals).toEqual([]);
  });
});
