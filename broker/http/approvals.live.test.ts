import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalsResponseSchema, grantResponseSchema } from '../../protocol/broker-api.ts';
import { errorBodySchema } from '../../protocol/errors.ts';
import type { DemoIdp } from '../../demo/idp.ts';
import type { RunningBroker } from '../start-broker.ts';
import { call, startTestBroker, startTestIdp } from './live-harness.ts';
import { adminRequest, demoTokens, liveChecks } from './live-checks.ts';

let idp: DemoIdp;
let broker: RunningBroker;
let alice: string;
let bob: string;
let carol: string;
let check: ReturnType<typeof liveChecks>;

beforeAll(async () => {
  idp = await startTestIdp();
  broker = await startTestBroker(idp);
  ({ alice, bob, carol } = await demoTokens(idp));
  check = liveChecks(broker);
});
afterAll(async () => {
  await broker?.close();
  await idp?.close();
});

describe('the approval-gated request through the live broker (real IdP tokens)', () => {
  let id: string;

  it('alice asks; bob sees it in his approvals with requester, role, duration, reason, ticket, wait', async () => {
    const grant = check.grantOf(await check.post(alice, '/v1/requests', adminRequest), 201);
    id = grant.id;
    expect(grant).toMatchObject({
      status: 'pending',
      approvalsRequired: 1,
      approverGroups: ['approvers'],
      wipeState: 'none',
    });
    const forBob = approvalsResponseSchema.parse(
      (await call(broker, 'GET', '/v1/approvals', bob)).body,
    );
    expect(forBob.approvals).toEqual([
      expect.objectContaining({
        kind: 'request',
        durationSeconds: 900,
        waitsUntil: grant.requestExpiresAt,
      }),
    ]);
    expect(forBob.approvals[0]?.grant).toMatchObject({
      id,
      role: 'prod-api-admin',
      reason: 'fix prod',
      ticket: 'INC-42',
      requesterName: expect.stringMatching(/Alice/) as string,
    });
    for (const other of [alice, carol]) {
      expect(
        approvalsResponseSchema.parse((await call(broker, 'GET', '/v1/approvals', other)).body)
          .approvals,
      ).toEqual([]);
    }
  });

  it('refuses self-approval, strangers, malformed bodies and bad ids — changing nothing', async () => {
    await check.refused(
      id,
      () => check.post(alice, `/v1/grants/${id}/approve`),
      403,
      'not_approver',
      /own request/,
    );
    await check.refused(
      id,
      () => check.post(carol, `/v1/grants/${id}/approve`),
      404,
      'not_found',
      /no such grant/,
    );
    await check.refused(
      id,
      () => check.post(carol, `/v1/grants/${id}/deny`),
      404,
      'not_found',
      /no such grant/,
    );
    await check.refused(
      id,
      () => check.post(bob, `/v1/grants/${id}/approve`, { comment: 5 }),
      400,
      'bad_request',
      /comment/,
    );
    await check.refused(
      id,
      () => check.post(bob, `/v1/grants/${id}/approve`, { comment: 'x', admin: true }),
      400,
      'bad_request',
      /unknown field\(s\) admin/,
    );
    await check.refused(
      id,
      () => check.post(bob, `/v1/grants/${id}/approve`, '{"comment":'),
      400,
      'bad_request',
      /not valid JSON/,
    );
    await check.refused(
      id,
      () => check.post(bob, `/v1/grants/${id}/deny`, { comment: 'x'.repeat(501) }),
      400,
      'bad_request',
      /comment/,
    );
    await check.refused(
      id,
      () => check.post(bob, '/v1/grants/not%20an%20id/approve'),
      400,
      'bad_request',
      /grant id/,
    );
    await check.refused(
      id,
      () => check.post(alice, `/v1/grants/${id}/extend`, { durationSeconds: 60 }),
      409,
      'invalid_state',
      /is pending/,
    );
    await check.refused(
      id,
      () => check.post(alice, `/v1/grants/${id}/revoke`),
      409,
      'invalid_state',
      /is pending/,
    );
    await check.refused(
      id,
      () =>
        check.post(alice, `/v1/grants/${id}/wiped`, {
          wipedAt: new Date().toISOString(),
          trigger: 'done',
          items: [],
        }),
      409,
      'invalid_state',
      /is pending/,
    );
    await check.refused(
      id,
      () => check.post(alice, `/v1/grants/${id}/cancel`, { now: true }),
      400,
      'bad_request',
      /unknown field\(s\) now/,
    );
    await check.refused(
      id,
      () => check.post(bob, `/v1/grants/${id}/cancel`),
      403,
      'forbidden',
      /only the requester/,
    );
    await check.refused(
      id,
      () => check.post(alice, '/v1/requests', adminRequest),
      409,
      'conflict',
      /waits for approval/,
    );
  });

  it('bob approves: active from now; a second approval by him is refused', async () => {
    const answer = await check.post(bob, `/v1/grants/${id}/approve`, { comment: 'go' });
    const grant = check.grantOf(answer);
    const now = grantResponseSchema.parse(answer.body).now;
    expect(grant).toMatchObject({
      status: 'active',
      activatedAt: now,
      approvals: [expect.objectContaining({ by: `${idp.issuer}#bob`, comment: 'go' })],
    });
    expect(Date.parse(grant.expiresAt ?? '') - Date.parse(now)).toBe(900_000);
    await check.refused(
      id,
      () => check.post(bob, `/v1/grants/${id}/approve`),
      409,
      'invalid_state',
      /nothing waiting to approve/,
    );
    // bob may read the grant he approved; carol may not even know it exists.
    expect(check.grantOf(await call(broker, 'GET', `/v1/grants/${id}`, bob)).id).toBe(id);
    await check.refused(
      id,
      () => call(broker, 'GET', `/v1/grants/${id}`, carol),
      404,
      'not_found',
      /no such grant/,
    );
  });

  it('a second request for the held role is already_active with the grant, its deadline and time left', async () => {
    const before = await check.snapshot(id);
    const answer = await check.post(alice, '/v1/requests', adminRequest);
    expect(answer.status).toBe(409);
    const { error } = errorBodySchema.parse(answer.body);
    const held = check.grantOf(await call(broker, 'GET', `/v1/grants/${id}`, alice));
    expect(error).toMatchObject({ code: 'already_active', grantId: id, expiresAt: held.expiresAt });
    expect(error.message).toMatch(
      /for 1[45]m.* more; extend it with `hourglass extend prod-api-admin`/,
    );
    expect(await check.snapshot(id)).toEqual(before);
  });

  it('cancel by the requester, deny by an approver with the reason shown, revoke by an approver', async () => {
    // The grant approved above is still running: end it, one live grant per role.
    check.grantOf(await check.post(alice, `/v1/grants/${id}/revoke`));
    const pending = check.grantOf(await check.post(alice, '/v1/requests', adminRequest), 201);
    expect(check.grantOf(await check.post(alice, `/v1/grants/${pending.id}/cancel`))).toMatchObject(
      {
        status: 'cancelled',
      },
    );
    await check.refused(
      pending.id,
      () => check.post(alice, `/v1/grants/${pending.id}/cancel`),
      409,
      'invalid_state',
      /is cancelled/,
    );
    await check.refused(
      pending.id,
      () => check.post(bob, `/v1/grants/${pending.id}/approve`),
      409,
      'invalid_state',
      /is cancelled/,
    );

    const second = check.grantOf(await check.post(alice, '/v1/requests', adminRequest), 201);
    const denied = check.grantOf(
      await check.post(bob, `/v1/grants/${second.id}/deny`, { comment: 'use readonly' }),
    );
    expect(denied).toMatchObject({
      status: 'denied',
      endReason: 'use readonly',
      endedBy: `${idp.issuer}#bob`,
    });
    expect(
      check.grantOf(await call(broker, 'GET', `/v1/grants/${second.id}`, alice)).endReason,
    ).toBe('use readonly');

    const third = check.grantOf(await check.post(alice, '/v1/requests', adminRequest), 201);
    check.grantOf(await check.post(bob, `/v1/grants/${third.id}/approve`));
    const revoked = check.grantOf(
      await check.post(bob, `/v1/grants/${third.id}/revoke`, { reason: 'incident closed' }),
    );
    expect(revoked).toMatchObject({
      status: 'revoked',
      endedBy: `${idp.issuer}#bob`,
      endReason: 'incident closed',
      wipeState: 'none',
    });
  });
});
