import { describe, expect, it } from 'vitest';
import { grantResponseSchema } from '../../protocol/broker-api.ts';
import { obtainTestTokens } from '../../demo/idp-login-driver.ts';
import { BROKER_AUDIENCE } from '../../demo/stack.ts';
import { decodeJwt } from 'jose';
import { verifyAuditLog } from '../audit/verify.ts';
import { call, startTestBroker, startTestIdp } from './live-harness.ts';
import { useLiveBroker } from './live-checks.ts';

const live = useLiveBroker();

describe('who may act on a grant (live broker, real IdP tokens)', () => {
  it("alice acting on bob's grant gets 404 (no existence leak) and changes nothing", async () => {
    const bobs = live.check.grantOf(
      await live.check.post(live.bob, '/v1/requests', {
        role: 'prod-api-readonly',
        durationSeconds: 600,
        reason: 'look',
      }),
      201,
    );
    await live.check.refused(
      bobs.id,
      () => call(live.broker, 'GET', `/v1/grants/${bobs.id}`, live.alice),
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
      await live.check.refused(
        bobs.id,
        () => live.check.post(live.alice, `/v1/grants/${bobs.id}/${path}`, body),
        404,
        'not_found',
        /no such grant/,
      );
    }
    await live.check.refused(
      bobs.id,
      () => live.check.post(live.alice, `/v1/grants/${bobs.id}/credentials`, undefined),
      404,
      'not_found',
      /no such grant/,
    );
    expect(await verifyAuditLog(live.broker.db)).toMatchObject({ ok: true });
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
      const full = live.check.grantOf(
        await live.check.post(live.carol, '/v1/requests', {
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
