/**
 * Federation with two real demo IdPs: groups are qualified by issuer name, so issuer B's
 * `approvers` cannot approve a rule that names issuer A's; an issuer limited to other tenants is
 * refused.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approvalsResponseSchema,
  grantResponseSchema,
  meResponseSchema,
} from '../../protocol/broker-api.ts';
import { errorBodySchema } from '../../protocol/errors.ts';
import { obtainTestTokens } from '../../demo/idp-login-driver.ts';
import { BROKER_AUDIENCE } from '../../demo/stack.ts';
import type { DemoIdp } from '../../demo/idp.ts';
import type { RunningBroker } from '../start-broker.ts';
import { tempDir } from '../test-support.ts';
import { call, startTestBroker, startTestIdp } from './live-harness.ts';

const POLICY = `tenant: prod-eu
roles:
  - name: ops
    provider: { kind: jwt, audience: https://api }
    eligible: { groups: ["corp:engineers"] }
    maxDuration: 1h
    approval: { required: 1, from: ["corp:approvers"] }
  - name: corp-only
    provider: { kind: jwt, audience: https://api }
    eligible: { groups: ["corp:engineers", "partner:engineers"] }
    maxDuration: 1h
    issuer: CORP_ISSUER
`;

let corp: DemoIdp;
let partner: DemoIdp;
let broker: RunningBroker;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  [corp, partner] = await Promise.all([startTestIdp(), startTestIdp()]);
  const policyPath = join(tempDir(), 'policy.yaml');
  writeFileSync(policyPath, POLICY.replace('CORP_ISSUER', corp.issuer));
  broker = await startTestBroker(corp, {
    config: {
      policyPath,
      issuers: [
        { issuer: corp.issuer, audience: BROKER_AUDIENCE, name: 'corp', tenants: ['prod-eu'] },
        { issuer: partner.issuer, audience: BROKER_AUDIENCE, name: 'partner' },
      ],
    },
  });
  for (const [idp, prefix] of [
    [corp, 'corp'],
    [partner, 'partner'],
  ] as const) {
    for (const user of ['alice', 'bob']) {
      tokens[`${user}@${prefix}`] = (
        await obtainTestTokens(idp.issuer, user, BROKER_AUDIENCE)
      ).accessToken;
    }
  }
});
afterAll(async () => {
  await broker?.close();
  await corp?.close();
  await partner?.close();
});

const token = (who: string): string => {
  const value = tokens[who];
  if (!value) throw new Error(`no token for ${who}`);
  return value;
};

describe('several trusted issuers, groups qualified by issuer', () => {
  it('shows each caller their groups qualified by their issuer', async () => {
    const me = meResponseSchema.parse(
      (await call(broker, 'GET', '/v1/me', token('bob@partner'))).body,
    );
    expect(me.me.groups).toEqual(['partner:engineers', 'partner:approvers']);
  });

  it("issuer B's approvers cannot approve issuer A's rule; A's can", async () => {
    const created = await call(broker, 'POST', '/v1/requests', token('alice@corp'), {
      role: 'ops',
      durationSeconds: 600,
      reason: 'fix it',
    });
    expect(created.status).toBe(201);
    const { grant } = grantResponseSchema.parse(created.body);
    const inbox = approvalsResponseSchema.parse(
      (await call(broker, 'GET', '/v1/approvals', token('bob@partner'))).body,
    );
    expect(inbox.approvals).toEqual([]);
    const refused = await call(
      broker,
      'POST',
      `/v1/grants/${grant.id}/approve`,
      token('bob@partner'),
      {},
    );
    expect([403, 404]).toContain(refused.status);
    errorBodySchema.parse(refused.body);
    const approved = await call(
      broker,
      'POST',
      `/v1/grants/${grant.id}/approve`,
      token('bob@corp'),
      {},
    );
    expect(approved.status).toBe(200);
    expect(grantResponseSchema.parse(approved.body).grant.status).toBe('active');
  });

  it("a partner user is not eligible for a role that names corp's engineers", async () => {
    const refused = await call(broker, 'POST', '/v1/requests', token('alice@partner'), {
      role: 'ops',
      durationSeconds: 600,
      reason: 'fix it',
    });
    // Roles a caller is not eligible for are not theirs to see: the same 404 as an unknown role.
    expect(refused.status).toBe(404);
    const mine = await call(broker, 'GET', '/v1/grants', token('alice@partner'));
    expect(mine.body).toMatchObject({ grants: [] });
  });
});

describe('a role that requires an issuer', () => {
  it('is granted to that issuer’s users only', async () => {
    const body = { role: 'corp-only', durationSeconds: 600, reason: 'x' };
    expect((await call(broker, 'POST', '/v1/requests', token('alice@partner'), body)).status).toBe(
      404,
    );
    expect((await call(broker, 'POST', '/v1/requests', token('alice@corp'), body)).status).toBe(
      201,
    );
  });
});

describe('an issuer limited to other tenants', () => {
  it('is refused with 403 naming the tenant', async () => {
    const policyPath = join(tempDir(), 'policy.yaml');
    writeFileSync(policyPath, POLICY.replace('CORP_ISSUER', corp.issuer));
    const other = await startTestBroker(corp, {
      config: {
        policyPath,
        issuers: [{ issuer: corp.issuer, audience: BROKER_AUDIENCE, tenants: ['staging'] }],
      },
    });
    try {
      const answer = await call(other, 'GET', '/v1/me', token('alice@corp'));
      expect(answer.status).toBe(403);
      expect(errorBodySchema.parse(answer.body).error.message).toContain('tenant prod-eu');
    } finally {
      await other.close();
    }
  });
});
