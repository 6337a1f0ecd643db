import { beforeAll, describe, expect, it } from 'vitest';
import {
  credentialsResponseSchema,
  grantResponseSchema,
  jwtCredentialSchema,
} from '../../protocol/broker-api.ts';
import { decodeJwt } from 'jose';
import { waitFor } from './live-harness.ts';
import { adminRequest, useLiveBroker } from './live-checks.ts';

const live = useLiveBroker();

describe('extend, done and the wipe receipt through the live broker (real IdP tokens)', () => {
  let id: string;
  let approvedUntil: string;
  let jti: string;

  beforeAll(async () => {
    const pending = live.check.grantOf(
      await live.check.post(live.alice, '/v1/requests', adminRequest),
      201,
    );
    const approved = live.check.grantOf(
      await live.check.post(live.bob, `/v1/grants/${pending.id}/approve`),
    );
    id = approved.id;
    approvedUntil = approved.expiresAt ?? '';
  });

  it('alice extends from now within the budget; over-long, malformed and foreign extends change nothing', async () => {
    const answer = await live.check.post(live.alice, `/v1/grants/${id}/extend`, {
      durationSeconds: 1800,
    });
    const grant = live.check.grantOf(answer);
    expect(
      Date.parse(grant.expiresAt ?? '') - Date.parse(grantResponseSchema.parse(answer.body).now),
    ).toBe(1_800_000);
    expect(grant.id).toBe(id);
    // The budget is charged with how far the deadline moved, not with the 30m asked for.
    const moved = Math.floor(
      (Date.parse(grant.expiresAt ?? '') - Date.parse(approvedUntil)) / 1000,
    );
    expect(moved).toBeLessThan(1800);
    expect(grant.extension).toMatchObject({
      usedCount: 1,
      usedSeconds: moved,
      remainingCount: 1,
      remainingSeconds: 3600 - moved,
    });
    await live.check.refused(
      id,
      () => live.check.post(live.alice, `/v1/grants/${id}/extend`, { durationSeconds: 1801 }),
      400,
      'policy_violation',
      /at most 30m/,
    );
    await live.check.refused(
      id,
      () => live.check.post(live.alice, `/v1/grants/${id}/extend`, { durationSeconds: -1 }),
      400,
      'bad_request',
      /durationSeconds/,
    );
    await live.check.refused(
      id,
      () => live.check.post(live.alice, `/v1/grants/${id}/extend`, {}),
      400,
      'bad_request',
      /durationSeconds: is required/,
    );
    await live.check.refused(
      id,
      () => live.check.post(live.bob, `/v1/grants/${id}/extend`, { durationSeconds: 1800 }),
      403,
      'forbidden',
      /only the owner/,
    );
    await live.check.refused(
      id,
      () => live.check.post(live.carol, `/v1/grants/${id}/extend`, { durationSeconds: 1800 }),
      404,
      'not_found',
      /no such grant/,
    );
  });

  it('alice fetches the credential, then says she is done: revoked with the unused time, token refused', async () => {
    const issued = credentialsResponseSchema.parse(
      (await live.check.post(live.alice, `/v1/grants/${id}/credentials`, undefined)).body,
    );
    jti = String(decodeJwt(jwtCredentialSchema.parse(issued.credential).token).jti);
    await live.check.refused(
      id,
      () => live.check.post(live.carol, `/v1/grants/${id}/revoke`, { reason: 'x' }),
      404,
      'not_found',
      /no such grant/,
    );
    await live.check.refused(
      id,
      () => live.check.post(live.alice, `/v1/grants/${id}/revoke`, { reason: 7 }),
      400,
      'bad_request',
      /reason/,
    );
    const grant = live.check.grantOf(
      await live.check.post(live.alice, `/v1/grants/${id}/revoke`, { reason: "I'm done" }),
    );
    expect(grant).toMatchObject({
      status: 'revoked',
      endedBy: `${live.idp.issuer}#alice`,
      endReason: "I'm done",
      wipeState: 'awaiting',
    });
    expect(grant.unusedSeconds).toBeGreaterThan(1790);
    const audit = await live.broker.db
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
      async () => ((await live.broker.repo.isTokenRevoked(jti)) ? true : undefined),
      'the jwt revocation',
    );
    await live.check.refused(
      id,
      () => live.check.post(live.alice, `/v1/grants/${id}/extend`, { durationSeconds: 60 }),
      409,
      'invalid_state',
      /is revoked/,
    );
    await live.check.refused(
      id,
      () => live.check.post(live.alice, `/v1/grants/${id}/revoke`),
      409,
      'invalid_state',
      /is revoked/,
    );
    await live.check.refused(
      id,
      () => live.check.post(live.alice, `/v1/grants/${id}/credentials`, undefined),
      409,
      'grant_not_active',
      /is revoked/,
    );
  });

  it('the wipe receipt is recorded on the grant and in the audit, once', async () => {
    const body = { wipedAt: new Date().toISOString(), trigger: 'done', items: ['keychain'] };
    await live.check.refused(
      id,
      () => live.check.post(live.bob, `/v1/grants/${id}/wiped`, body),
      403,
      'forbidden',
      /only the device/,
    );
    await live.check.refused(
      id,
      () => live.check.post(live.carol, `/v1/grants/${id}/wiped`, body),
      404,
      'not_found',
      /no such grant/,
    );
    await live.check.refused(
      id,
      () => live.check.post(live.alice, `/v1/grants/${id}/wiped`, { ...body, trigger: 'magic' }),
      400,
      'bad_request',
      /trigger/,
    );
    await live.check.refused(
      id,
      () =>
        live.check.post(live.alice, `/v1/grants/${id}/wiped`, { ...body, wipedAt: 'yesterday' }),
      400,
      'bad_request',
      /wipedAt/,
    );
    const grant = live.check.grantOf(
      await live.check.post(live.alice, `/v1/grants/${id}/wiped`, body),
    );
    expect(grant).toMatchObject({
      wipeState: 'wiped',
      wipe: { wipedAt: body.wipedAt, trigger: 'done', items: ['keychain'] },
    });
    const before = await live.check.snapshot(id);
    expect(
      live.check.grantOf(await live.check.post(live.alice, `/v1/grants/${id}/wiped`, body)).wipe,
    ).toEqual(grant.wipe);
    expect(await live.check.snapshot(id)).toEqual(before);
    const wiped = await live.broker.db
      .selectFrom('audit')
      .select('details')
      .where('grant_id', '=', id)
      .where('event', '=', 'wiped')
      .execute();
    expect(wiped).toHaveLength(1);
  });
});
