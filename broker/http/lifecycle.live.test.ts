import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approvalsResponseSchema,
  credentialsResponseSchema,
  grantResponseSchema,
  type Grant,
} from '../../protocol/broker-api.ts';
import { errorBodySchema } from '../../protocol/errors.ts';
import { obtainTestTokens } from '../../demo/idp-login-driver.ts';
import { BROKER_AUDIENCE } from '../../demo/stack.ts';
import type { DemoIdp } from '../../demo/idp.ts';
import { decodeJwt } from 'jose';
import { verifyAuditLog } from '../audit/verify.ts';
import type { RunningBroker } from '../start-broker.ts';
import {
  call,
  startTestBroker,
  startTestIdp,
  tableCounts,
  waitFor,
  type Answer,
} from './live-harness.ts';

let idp: DemoIdp;
let broker: RunningBroker;
let alice: string;
let bob: string;
let carol: string;

beforeAll(async () => {
  idp = await startTestIdp();
  broker = await startTestBroker(idp);
  [alice, bob, carol] = (await Promise.all(
    ['alice', 'bob', 'carol'].map(
      async (u) => (await obtainTestTokens(idp.issuer, u, BROKER_AUDIENCE)).accessToken,
    ),
  )) as [string, string, string];
});
afterAll(async () => {
  await broker?.close();
  await idp?.close();
});

const adminRequest = {
  role: 'prod-api-admin',
  durationSeconds: 900,
  reason: 'fix prod',
  ticket: 'INC-42',
};

function grantOf(answer: Answer, status = 200): Grant {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  return grantResponseSchema.parse(answer.body).grant;
}

async function snapshot(id: string) {
  const row = await broker.db
    .selectFrom('grants')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  const outbox = await broker.db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const events = await broker.db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return {
    counts: await tableCounts(broker),
    row,
    outbox: Number(outbox.n),
    events: Number(events.n),
  };
}

/** Calls the broker expecting a refusal with `status`, `code` and a message naming the rule; asserts no row changed. */
async function refused(
  id: string,
  request: () => Promise<Answer>,
  status: number,
  code: string,
  message: RegExp,
): Promise<void> {
  const before = await snapshot(id);
  const answer = await request();
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  const error = errorBodySchema.parse(answer.body).error;
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
  expect(await snapshot(id)).toEqual(before);
}

const post = (token: string, path: string, body: unknown = {}) =>
  call(broker, 'POST', path, token, body);

describe('the approval-gated lifecycle through the live broker (real IdP tokens)', () => {
  let id: string;
  let jti: string;

  it('alice asks; bob sees it in his approvals with requester, role, duration, reason, ticket, wait', async () => {
    const grant = grantOf(await post(alice, '/v1/requests', adminRequest), 201);
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
    await refused(
      id,
      () => post(alice, `/v1/grants/${id}/approve`),
      403,
      'not_approver',
      /own request/,
    );
    await refused(
      id,
      () => post(carol, `/v1/grants/${id}/approve`),
      404,
      'not_found',
      /no such grant/,
    );
    await refused(
      id,
      () => post(carol, `/v1/grants/${id}/deny`),
      404,
      'not_found',
      /no such grant/,
    );
    await refused(
      id,
      () => post(bob, `/v1/grants/${id}/approve`, { comment: 5 }),
      400,
      'bad_request',
      /comment/,
    );
    await refused(
      id,
      () => post(bob, `/v1/grants/${id}/approve`, { comment: 'x', admin: true }),
      400,
      'bad_request',
      /unknown field\(s\) admin/,
    );
    await refused(
      id,
      () => post(bob, `/v1/grants/${id}/approve`, '{"comment":'),
      400,
      'bad_request',
      /not valid JSON/,
    );
    await refused(
      id,
      () => post(bob, `/v1/grants/${id}/deny`, { comment: 'x'.repeat(501) }),
      400,
      'bad_request',
      /comment/,
    );
    await refused(
      id,
      () => post(bob, '/v1/grants/not%20an%20id/approve'),
      400,
      'bad_request',
      /grant id/,
    );
    await refused(
      id,
      () => post(alice, `/v1/grants/${id}/extend`, { durationSeconds: 60 }),
      409,
      'invalid_state',
      /is pending/,
    );
    await refused(
      id,
      () => post(alice, `/v1/grants/${id}/revoke`),
      409,
      'invalid_state',
      /is pending/,
    );
    await refused(
      id,
      () =>
        post(alice, `/v1/grants/${id}/wiped`, {
          wipedAt: new Date().toISOString(),
          trigger: 'done',
          items: [],
        }),
      409,
      'invalid_state',
      /is pending/,
    );
    await refused(
      id,
      () => post(bob, `/v1/grants/${id}/cancel`),
      403,
      'forbidden',
      /only the requester/,
    );
    await refused(
      id,
      () => post(alice, '/v1/requests', adminRequest),
      409,
      'conflict',
      /waits for approval/,
    );
  });

  it('bob approves: active from now; a second approval by him is refused', async () => {
    const answer = await post(bob, `/v1/grants/${id}/approve`, { comment: 'go' });
    const grant = grantOf(answer);
    const now = grantResponseSchema.parse(answer.body).now;
    expect(grant).toMatchObject({
      status: 'active',
      activatedAt: now,
      approvals: [expect.objectContaining({ by: `${idp.issuer}#bob`, comment: 'go' })],
    });
    expect(Date.parse(grant.expiresAt ?? '') - Date.parse(now)).toBe(900_000);
    await refused(
      id,
      () => post(bob, `/v1/grants/${id}/approve`),
      409,
      'invalid_state',
      /nothing waiting to approve/,
    );
    // bob may read the grant he approved; carol may not even know it exists.
    expect(grantOf(await call(broker, 'GET', `/v1/grants/${id}`, bob)).id).toBe(id);
    await refused(
      id,
      () => call(broker, 'GET', `/v1/grants/${id}`, carol),
      404,
      'not_found',
      /no such grant/,
    );
  });

  it('a second request for the held role is already_active with the grant, its deadline and time left', async () => {
    const before = await snapshot(id);
    const answer = await post(alice, '/v1/requests', adminRequest);
    expect(answer.status).toBe(409);
    const { error } = errorBodySchema.parse(answer.body);
    const held = grantOf(await call(broker, 'GET', `/v1/grants/${id}`, alice));
    expect(error).toMatchObject({ code: 'already_active', grantId: id, expiresAt: held.expiresAt });
    expect(error.message).toMatch(
      /for 1[45]m.* more; extend it with `hourglass extend prod-api-admin`/,
    );
    expect(await snapshot(id)).toEqual(before);
  });

  it('alice extends from now within the budget; over-long, malformed and foreign extends change nothing', async () => {
    const answer = await post(alice, `/v1/grants/${id}/extend`, { durationSeconds: 1800 });
    const grant = grantOf(answer);
    expect(
      Date.parse(grant.expiresAt ?? '') - Date.parse(grantResponseSchema.parse(answer.body).now),
    ).toBe(1_800_000);
    expect(grant.id).toBe(id);
    expect(grant.extension).toMatchObject({
      usedCount: 1,
      usedSeconds: 1800,
      remainingCount: 1,
      remainingSeconds: 1800,
    });
    await refused(
      id,
      () => post(alice, `/v1/grants/${id}/extend`, { durationSeconds: 1801 }),
      400,
      'policy_violation',
      /at most 30m/,
    );
    await refused(
      id,
      () => post(alice, `/v1/grants/${id}/extend`, { durationSeconds: -1 }),
      400,
      'bad_request',
      /durationSeconds/,
    );
    await refused(
      id,
      () => post(alice, `/v1/grants/${id}/extend`, {}),
      400,
      'bad_request',
      /durationSeconds: is required/,
    );
    await refused(
      id,
      () => post(bob, `/v1/grants/${id}/extend`, { durationSeconds: 1800 }),
      403,
      'forbidden',
      /only the owner/,
    );
    await refused(
      id,
      () => post(carol, `/v1/grants/${id}/extend`, { durationSeconds: 1800 }),
      404,
      'not_found',
      /no such grant/,
    );
  });

  it('alice fetches the credential, then says she is done: revoked with the unused time, token refused', async () => {
    const issued = credentialsResponseSchema.parse(
      (await post(alice, `/v1/grants/${id}/credentials`, undefined)).body,
    );
    jti = String(decodeJwt(issued.credential.token).jti);
    await refused(
      id,
      () => post(carol, `/v1/grants/${id}/revoke`, { reason: 'x' }),
      404,
      'not_found',
      /no such grant/,
    );
    await refused(
      id,
      () => post(alice, `/v1/grants/${id}/revoke`, { reason: 7 }),
      400,
      'bad_request',
      /reason/,
    );
    const grant = grantOf(await post(alice, `/v1/grants/${id}/revoke`, { reason: "I'm done" }));
    expect(grant).toMatchObject({
      status: 'revoked',
      endedBy: `${idp.issuer}#alice`,
      endReason: "I'm done",
      wipeState: 'awaiting',
    });
    expect(grant.unusedSeconds).toBeGreaterThan(1790);
    const audit = await broker.db
      .selectFrom('audit')
      .select(['event', 'details'])
      .where('grant_id', '=', id)
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.event)).toEqual([
      'requested',
      'approved',
      'activated',
      'extended',
      'credential_issued',
      'revoked',
    ]);
    expect(JSON.parse(audit.at(-1)?.details ?? '{}')).toMatchObject({
      by: 'owner',
      unusedSeconds: grant.unusedSeconds,
    });
    // The outbox carries the revocation to the provider: the token id is refused from then on.
    await waitFor(
      async () => ((await broker.repo.isTokenRevoked(jti)) ? true : undefined),
      'the jwt revocation',
    );
    await refused(
      id,
      () => post(alice, `/v1/grants/${id}/extend`, { durationSeconds: 60 }),
      409,
      'invalid_state',
      /is revoked/,
    );
    await refused(
      id,
      () => post(alice, `/v1/grants/${id}/revoke`),
      409,
      'invalid_state',
      /is revoked/,
    );
    await refused(
      id,
      () => post(alice, `/v1/grants/${id}/credentials`, undefined),
      409,
      'grant_not_active',
      /is revoked/,
    );
  });

  it('the wipe receipt is recorded on the grant and in the audit, once', async () => {
    const body = { wipedAt: new Date().toISOString(), trigger: 'done', items: ['keychain'] };
    await refused(
      id,
      () => post(bob, `/v1/grants/${id}/wiped`, body),
      403,
      'forbidden',
      /only the device/,
    );
    await refused(
      id,
      () => post(carol, `/v1/grants/${id}/wiped`, body),
      404,
      'not_found',
      /no such grant/,
    );
    await refused(
      id,
      () => post(alice, `/v1/grants/${id}/wiped`, { ...body, trigger: 'magic' }),
      400,
      'bad_request',
      /trigger/,
    );
    await refused(
      id,
      () => post(alice, `/v1/grants/${id}/wiped`, { ...body, wipedAt: 'yesterday' }),
      400,
      'bad_request',
      /wipedAt/,
    );
    const grant = grantOf(await post(alice, `/v1/grants/${id}/wiped`, body));
    expect(grant).toMatchObject({
      wipeState: 'wiped',
      wipe: { wipedAt: body.wipedAt, trigger: 'done', items: ['keychain'] },
    });
    const before = await snapshot(id);
    expect(grantOf(await post(alice, `/v1/grants/${id}/wiped`, body)).wipe).toEqual(grant.wipe);
    expect(await snapshot(id)).toEqual(before);
    const wiped = await broker.db
      .selectFrom('audit')
      .select('details')
      .where('grant_id', '=', id)
      .where('event', '=', 'wiped')
      .execute();
    expect(wiped).toHaveLength(1);
  });

  it('cancel by the requester, deny by an approver with the reason shown, revoke by an approver', async () => {
    const pending = grantOf(await post(alice, '/v1/requests', adminRequest), 201);
    expect(grantOf(await post(alice, `/v1/grants/${pending.id}/cancel`))).toMatchObject({
      status: 'cancelled',
    });
    await refused(
      pending.id,
      () => post(alice, `/v1/grants/${pending.id}/cancel`),
      409,
      'invalid_state',
      /is cancelled/,
    );
    await refused(
      pending.id,
      () => post(bob, `/v1/grants/${pending.id}/approve`),
      409,
      'invalid_state',
      /is cancelled/,
    );

    const second = grantOf(await post(alice, '/v1/requests', adminRequest), 201);
    const denied = grantOf(
      await post(bob, `/v1/grants/${second.id}/deny`, { comment: 'use readonly' }),
    );
    expect(denied).toMatchObject({
      status: 'denied',
      endReason: 'use readonly',
      endedBy: `${idp.issuer}#bob`,
    });
    expect(grantOf(await call(broker, 'GET', `/v1/grants/${second.id}`, alice)).endReason).toBe(
      'use readonly',
    );

    const third = grantOf(await post(alice, '/v1/requests', adminRequest), 201);
    grantOf(await post(bob, `/v1/grants/${third.id}/approve`));
    const revoked = grantOf(
      await post(bob, `/v1/grants/${third.id}/revoke`, { reason: 'incident closed' }),
    );
    expect(revoked).toMatchObject({
      status: 'revoked',
      endedBy: `${idp.issuer}#bob`,
      endReason: 'incident closed',
      wipeState: 'none',
    });
  });

  it("alice acting on bob's grant gets 404 (no existence leak) and changes nothing", async () => {
    const bobs = grantOf(
      await post(bob, '/v1/requests', {
        role: 'prod-api-readonly',
        durationSeconds: 600,
        reason: 'look',
      }),
      201,
    );
    await refused(
      bobs.id,
      () => call(broker, 'GET', `/v1/grants/${bobs.id}`, alice),
      404,
      'not_found',
      /no such grant/,
    );
    for (const [path, body] of [
      ['revoke', { reason: 'mine now' }],
      ['extend', { durationSeconds: 900 }],
      ['cancel', {}],
      ['approve', {}],
      ['deny', {}],
      ['wiped', { wipedAt: new Date().toISOString(), trigger: 'done', items: [] }],
    ] as const) {
      await refused(
        bobs.id,
        () => post(alice, `/v1/grants/${bobs.id}/${path}`, body),
        404,
        'not_found',
        /no such grant/,
      );
    }
    await refused(
      bobs.id,
      () => post(alice, `/v1/grants/${bobs.id}/credentials`, undefined),
      404,
      'not_found',
      /no such grant/,
    );
    expect(await verifyAuditLog(broker.db)).toMatchObject({ ok: true });
  });
});

describe('the IdP session caps granted time', () => {
  it('a short sign-in (session_exp in the access token) caps a grant', async () => {
    const shortIdp = await startTestIdp({ sessionTtlSeconds: 120 });
    const shortBroker = await startTestBroker(shortIdp);
    try {
      const { accessToken } = await obtainTestTokens(shortIdp.issuer, 'alice', BROKER_AUDIENCE);
      const sessionExp = decodeJwt(accessToken).session_exp;
      expect(typeof sessionExp).toBe('number');
      const left = Number(sessionExp) - Date.now() / 1000;
      expect(left).toBeGreaterThan(100);
      expect(left).toBeLessThanOrEqual(120);
      const answer = await call(shortBroker, 'POST', '/v1/requests', accessToken, {
        role: 'prod-api-readonly',
        durationSeconds: 3600,
        reason: 'short',
      });
      const { grant, now } = grantResponseSchema.parse(answer.body);
      expect(grant.requestedSeconds).toBe(3600);
      expect(Date.parse(grant.expiresAt ?? '') - Date.parse(now)).toBe(grant.grantedSeconds * 1000);
      expect(Date.parse(grant.expiresAt ?? '')).toBeLessThanOrEqual(Number(sessionExp) * 1000);
      expect(grant.grantedSeconds).toBeLessThanOrEqual(120);
      // The demo IdP's usual sign-in lasts 8 hours: the same request gets the full hour there.
      const full = grantOf(
        await post(carol, '/v1/requests', {
          role: 'audit-reader',
          durationSeconds: 3600,
          reason: '',
        }),
        201,
      );
      expect(full.grantedSeconds).toBe(3600);
    } finally {
      await shortBroker.close();
      await shortIdp.close();
    }
  });
});
