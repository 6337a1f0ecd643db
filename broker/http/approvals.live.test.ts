import { describe, expect, it } from 'vitest';
import { approvalsResponseSchema, grantResponseSchema } from '../../protocol/broker-api.ts';
import { errorBodySchema } from '../../protocol/errors.ts';
import { call } from './live-harness.ts';
import { adminRequest, useLiveBroker } from './live-checks.ts';

const live = useLiveBroker();

describe('the approval-gated request through the live broker (real IdP tokens)', () => {
  let id: string;

  it('alice asks; bob sees it in his approvals with requester, role, duration, reason, ticket, wait', async () => {
    const grant = live.check.grantOf(
      await live.check.post(live.alice, '/v1/requests', adminRequest),
      201,
    );
    id = grant.id;
    expect(grant).toMatchObject({
      status: 'pending',
      approvalsRequired: 1,
      approverGroups: ['approvers'],
      wipeState: 'none',
    });
    const forBob = approvalsResponseSchema.parse(
      (await call(live.broker, 'GET', '/v1/approvals', live.bob)).body,
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
    for (const other of [live.alice, live.carol]) {
      expect(
        approvalsResponseSchema.parse((await call(live.broker, 'GET', '/v1/approvals', other)).body)
          .approvals,
      ).toEqual([]);
    }
  });

  it('refuses self-approval, strangers, malformed bodies and bad ids — changing nothing', async () => {
    await live.check.refused(
      id,
      () => live.check.post(live.alice, `/v1/grants/${id}/approve`),
      403,
      'not_approver',
      /own request/,
    );
    await live.check.refused(
      id,
      () => live.check.post(live.carol, `/v1/grants/${id}/approve`),
      404,
      'not_found',
      /no such grant/,
    );
    await live.check.refused(
      id,
      () => live.check.post(live.carol, `/v1/grants/${id}/deny`),
      404,
      'not_found',
      /no such grant/,
    );
    await live.check.refused(
      id,
      () => live.check.post(live.bob, `/v1/grants/${id}/approve`, { comment: 5 }),
      400,
      'bad_request',
      /comment/,
    );
    await live.check.refused(
      id,
      () => live.check.post(live.bob, `/v1/grants/${id}/approve`, { comment: 'x', admin: true }),
      400,
      'bad_request',
      /unknown field\(s\) admin/,
    );
    await live.check.refused(
      id,
      () => live.check.post(live.bob, `/v1/grants/${id}/approve`, '{"comment":'),
      400,
      'bad_request',
      /not valid JSON/,
    );
    await live.check.refused(
      id,
      () => live.check.post(live.bob, `/v1/grants/${id}/deny`, { comment: 'x'.repeat(501) }),
      400,
      'bad_request',
      /comment/,
    );
    await live.check.refused(
      id,
      () => live.check.post(live.bob, '/v1/grants/not%20an%20id/approve'),
      400,
      'bad_request',
      /grant id/,
    );
    await live.check.refused(
      id,
      () => live.check.post(live.alice, `/v1/grants/${id}/extend`, { durationSeconds: 60 }),
      409,
      'invalid_state',
      /is pending/,
    );
    await live.check.refused(
      id,
      () => live.check.post(live.alice, `/v1/grants/${id}/revoke`),
      409,
      'invalid_state',
      /is pending/,
    );
    await live.check.refused(
      id,
      () =>
        live.check.post(live.alice, `/v1/grants/${id}/wiped`, {
          wipedAt: new Date().toISOString(),
          trigger: 'done',
          items: [],
        }),
      409,
      'invalid_state',
      /is pending/,
    );
    await live.check.refused(
      id,
      () => live.check.post(live.alice, `/v1/grants/${id}/cancel`, { now: true }),
      400,
      'bad_request',
      /unknown field\(s\) now/,
    );
    await live.check.refused(
      id,
      () => live.check.post(live.bob, `/v1/grants/${id}/cancel`),
      403,
      'forbidden',
      /only the requester/,
    );
    await live.check.refused(
      id,
      () => live.check.post(live.alice, '/v1/requests', adminRequest),
      409,
      'conflict',
      /waits for approval/,
    );
  });

  it('bob approves: active from now; a second approval by him is refused', async () => {
    const answer = await live.check.post(live.bob, `/v1/grants/${id}/approve`, { comment: 'go' });
    const grant = live.check.grantOf(answer);
    const now = grantResponseSchema.parse(answer.body).now;
    expect(grant).toMatchObject({
      status: 'active',
      activatedAt: now,
      approvals: [expect.objectContaining({ by: `${live.idp.issuer}#bob`, comment: 'go' })],
    });
    expect(Date.parse(grant.expiresAt ?? '') - Date.parse(now)).toBe(900_000);
    await live.check.refused(
      id,
      () => live.check.post(live.bob, `/v1/grants/${id}/approve`),
      409,
      'invalid_state',
      /nothing waiting to approve/,
    );
    // live.bob may read the grant he approved; live.carol may not even know it exists.
    expect(
      live.check.grantOf(await call(live.broker, 'GET', `/v1/grants/${id}`, live.bob)).id,
    ).toBe(id);
    await live.check.refused(
      id,
      () => call(live.broker, 'GET', `/v1/grants/${id}`, live.carol),
      404,
      'not_found',
      /no such grant/,
    );
  });

  it('a second request for the held role is already_active with the grant, its deadline and time left', async () => {
    const before = await live.check.snapshot(id);
    const answer = await live.check.post(live.alice, '/v1/requests', adminRequest);
    expect(answer.status).toBe(409);
    const { error } = errorBodySchema.parse(answer.body);
    const held = live.check.grantOf(await call(live.broker, 'GET', `/v1/grants/${id}`, live.alice));
    expect(error).toMatchObject({ code: 'already_active', grantId: id, expiresAt: held.expiresAt });
    expect(error.message).toMatch(
      /for 1[45]m.* more; extend it with `hourglass extend prod-api-admin`/,
    );
    expect(await live.check.snapshot(id)).toEqual(before);
  });

  it('cancel by the requester, deny by an approver with the reason shown, revoke by an approver', async () => {
    // The grant approved above is still running: end it, one live grant per role.
    live.check.grantOf(await live.check.post(live.alice, `/v1/grants/${id}/revoke`));
    const pending = live.check.grantOf(
      await live.check.post(live.alice, '/v1/requests', adminRequest),
      201,
    );
    expect(
      live.check.grantOf(await live.check.post(live.alice, `/v1/grants/${pending.id}/cancel`)),
    ).toMatchObject({
      status: 'cancelled',
    });
    await live.check.refused(
      pending.id,
      () => live.check.post(live.alice, `/v1/grants/${pending.id}/cancel`),
      409,
      'invalid_state',
      /is cancelled/,
    );
    await live.check.refused(
      pending.id,
      () => live.check.post(live.bob, `/v1/grants/${pending.id}/approve`),
      409,
      'invalid_state',
      /is cancelled/,
    );

    const second = live.check.grantOf(
      await live.check.post(live.alice, '/v1/requests', adminRequest),
      201,
    );
    const denied = live.check.grantOf(
      await live.check.post(live.bob, `/v1/grants/${second.id}/deny`, { comment: 'use readonly' }),
    );
    expect(denied).toMatchObject({
      status: 'denied',
      endReason: 'use readonly',
      endedBy: `${live.idp.issuer}#bob`,
    });
    expect(
      live.check.grantOf(await call(live.broker, 'GET', `/v1/grants/${second.id}`, live.alice))
        .endReason,
    ).toBe('use readonly');

    const third = live.check.grantOf(
      await live.check.post(live.alice, '/v1/requests', adminRequest),
      201,
    );
    live.check.grantOf(await live.check.post(live.bob, `/v1/grants/${third.id}/approve`));
    const revoked = live.check.grantOf(
      await live.check.post(live.bob, `/v1/grants/${third.id}/revoke`, {
        reason: 'incident closed',
      }),
    );
    expect(revoked).toMatchObject({
      status: 'revoked',
      endedBy: `${live.idp.issuer}#bob`,
      endReason: 'incident closed',
      wipeState: 'none',
    });
  });
});
