import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRemoteJWKSet,
  decodeJwt,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
} from 'jose';
import {
  credentialsResponseSchema,
  jwtCredentialSchema,
  grantResponseSchema,
  meResponseSchema,
  rolesResponseSchema,
} from '../../protocol/broker-api.ts';
import { errorBodySchema } from '../../protocol/errors.ts';
import { obtainTestTokens } from '../../demo/idp-login-driver.ts';
import { BROKER_AUDIENCE } from '../../demo/stack.ts';
import type { DemoIdp } from '../../demo/idp.ts';
import type { RunningBroker } from '../start-broker.ts';
import { call, startTestBroker, startTestIdp, waitFor } from './live-harness.ts';

let idp: DemoIdp;
let broker: RunningBroker;
let alice: { accessToken: string; idToken: string };
let carol: { accessToken: string };

beforeAll(async () => {
  idp = await startTestIdp();
  broker = await startTestBroker(idp);
  alice = await obtainTestTokens(idp.issuer, 'alice', BROKER_AUDIENCE);
  carol = await obtainTestTokens(idp.issuer, 'carol', BROKER_AUDIENCE);
});
afterAll(async () => {
  await broker?.close();
  await idp?.close();
});

function expectError(
  answer: { status: number; body: unknown },
  status: number,
  code: string,
): string {
  expect(answer.status).toBe(status);
  const body = errorBodySchema.parse(answer.body);
  expect(body.error.code).toBe(code);
  expect(body.error.requestId).not.toBe('');
  return body.error.message;
}

describe('live broker with tokens from the real IdP', () => {
  it('GET /v1/me shows who the token says and the groups', async () => {
    const answer = await call(broker, 'GET', '/v1/me', alice.accessToken);
    expect(answer.status).toBe(200);
    const { me, now } = meResponseSchema.parse(answer.body);
    expect(me).toMatchObject({ subject: 'alice', issuer: idp.issuer, groups: ['engineers'] });
    expect(Math.abs(Date.parse(now) - Date.now())).toBeLessThan(5000);
  });

  it('GET /v1/roles lists only eligible roles with their policy', async () => {
    const forAlice = rolesResponseSchema.parse(
      (await call(broker, 'GET', '/v1/roles', alice.accessToken)).body,
    );
    expect(forAlice.roles.map((r) => r.name)).toEqual(['prod-api-readonly', 'prod-api-admin']);
    expect(forAlice.roles[1]).toMatchObject({
      maxDurationSeconds: 1800,
      approvalsRequired: 1,
      ticketPattern: '^INC-[0-9]+$',
    });
    const forCarol = rolesResponseSchema.parse(
      (await call(broker, 'GET', '/v1/roles', carol.accessToken)).body,
    );
    expect(forCarol.roles.map((r) => r.name)).toEqual(['audit-reader']);
  });

  it('grants a no-approval role, issues a verifiable JWT, and expires it server-side', async () => {
    const created = await call(broker, 'POST', '/v1/requests', alice.accessToken, {
      role: 'prod-api-readonly',
      durationSeconds: 2,
      reason: 'checking INC-7',
    });
    expect(created.status).toBe(201);
    const { grant, now } = grantResponseSchema.parse(created.body);
    expect(grant).toMatchObject({ status: 'active', grantedSeconds: 2, subject: 'alice' });
    expect(Date.parse(grant.expiresAt!) - Date.parse(now)).toBe(2000);

    const issued = await call(
      broker,
      'POST',
      `/v1/grants/${grant.id}/credentials`,
      alice.accessToken,
    );
    expect(issued.status).toBe(200);
    const { credential: issuedCredential, expiresAt } = credentialsResponseSchema.parse(
      issued.body,
    );
    const credential = jwtCredentialSchema.parse(issuedCredential);
    const jwks = createRemoteJWKSet(new URL(`${broker.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(credential.token, jwks, {
      issuer: broker.url,
      audience: 'https://api.demo.hourglass.internal',
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ sub: 'alice', role: 'prod-api-readonly', grant_id: grant.id });
    expect(payload.exp).toBe(Math.floor(Date.parse(expiresAt) / 1000));
    const auditText = JSON.stringify(await broker.db.selectFrom('audit').selectAll().execute());
    expect(auditText).toContain(String(payload.jti));
    expect(auditText).not.toContain(credential.token.split('.')[2]);

    // No client call in between: the scheduler must expire it on its own (the row is polled).
    const expiredRow = await waitFor(
      async () => {
        const row = await broker.db
          .selectFrom('grants')
          .select(['status'])
          .where('id', '=', grant.id)
          .executeTakeFirst();
        return row?.status === 'expired' ? row : undefined;
      },
      'the scheduler to expire the grant',
      Math.max(0, Date.parse(grant.expiresAt ?? '') - Date.now()) + 10_000,
    );
    expect(expiredRow.status).toBe('expired');
    const read = grantResponseSchema.parse(
      (await call(broker, 'GET', `/v1/grants/${grant.id}`, alice.accessToken)).body,
    );
    expect(read.grant.status).toBe('expired');
    expectError(
      await call(broker, 'POST', `/v1/grants/${grant.id}/credentials`, alice.accessToken),
      409,
      'grant_not_active',
    );
    const events = await broker.db
      .selectFrom('audit')
      .select(['event'])
      .where('grant_id', '=', grant.id)
      .orderBy('seq')
      .execute();
    expect(events.map((e) => e.event)).toEqual([
      'requested',
      'activated',
      'credential_issued',
      'expired',
    ]);
  });

  it('stores an approval role as pending without a deadline or credentials', async () => {
    const created = await call(broker, 'POST', '/v1/requests', alice.accessToken, {
      role: 'prod-api-admin',
      durationSeconds: 900,
      reason: 'fix prod',
      ticket: 'INC-123',
    });
    const { grant } = grantResponseSchema.parse(created.body);
    expect(grant).toMatchObject({
      status: 'pending',
      activatedAt: null,
      expiresAt: null,
      ticket: 'INC-123',
    });
    // Unapproved, the request expires after the policy's request TTL (30m in the demo policy).
    expect(Date.parse(grant.requestExpiresAt ?? '') - Date.parse(grant.createdAt)).toBe(1_800_000);
    expectError(
      await call(broker, 'POST', `/v1/grants/${grant.id}/credentials`, alice.accessToken),
      409,
      'grant_not_active',
    );
    // Someone else's grant looks like no grant at all.
    expectError(
      await call(broker, 'GET', `/v1/grants/${grant.id}`, carol.accessToken),
      404,
      'not_found',
    );
    expectError(
      await call(broker, 'POST', `/v1/grants/${grant.id}/credentials`, carol.accessToken),
      404,
      'not_found',
    );
    const carolsList = (await call(broker, 'GET', '/v1/grants', carol.accessToken)).body as {
      grants: unknown[];
    };
    expect(carolsList.grants).toEqual([]);
  });
});

describe('bad tokens are refused with 401 and the error body', () => {
  it.each([
    ['garbage', () => Promise.resolve('garbage')],
    ['the ID token (wrong audience)', () => Promise.resolve(alice.idToken)],
    [
      'a token signed by a key not in the JWKS',
      async () => {
        const { privateKey, publicKey } = await generateKeyPair('ES256');
        const kid = (await exportJWK(publicKey)).kid ?? 'not-in-jwks';
        return new SignJWT({ groups: ['engineers', 'approvers'] })
          .setProtectedHeader({ alg: 'ES256', kid })
          .setIssuer(idp.issuer)
          .setAudience(BROKER_AUDIENCE)
          .setSubject('mallory')
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(privateKey);
      },
    ],
    [
      'alg: none',
      () => {
        const real = decodeJwt(alice.accessToken);
        const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
        return Promise.resolve(
          `${enc({ alg: 'none', typ: 'at+jwt' })}.${enc({ ...real, sub: 'mallory' })}.`,
        );
      },
    ],
    [
      'a re-signed token with HS256',
      () => {
        return new SignJWT({ ...decodeJwt(alice.accessToken) })
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode('guess-the-secret-guess-the-secret'));
      },
    ],
    [
      'a token from an untrusted issuer',
      async () => {
        const { privateKey } = await generateKeyPair('ES256');
        return new SignJWT({})
          .setProtectedHeader({ alg: 'ES256' })
          .setIssuer('https://evil.example')
          .setAudience(BROKER_AUDIENCE)
          .setSubject('alice')
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(privateKey);
      },
    ],
  ])('%s', async (_name, makeToken) => {
    const message = expectError(
      await call(broker, 'GET', '/v1/me', await makeToken()),
      401,
      'unauthenticated',
    );
    expect(message).toContain('hourglass login');
  });

  it('no Authorization header', async () => {
    expect(expectError(await call(broker, 'GET', '/v1/grants'), 401, 'unauthenticated')).toContain(
      'hourglass login',
    );
  });

  it('an expired token (a broker whose clock is 2 hours ahead)', async () => {
    const ahead = await startTestBroker(idp, {
      clock: { now: () => new Date(Date.now() + 2 * 3600_000) },
    });
    try {
      const message = expectError(
        await call(ahead, 'GET', '/v1/me', alice.accessToken),
        401,
        'unauthenticated',
      );
      expect(message).toContain('expired');
    } finally {
      await ahead.close();
    }
  });

  it('a token issued in the future (a broker whose clock is 1 hour behind)', async () => {
    const behind = await startTestBroker(idp, {
      clock: { now: () => new Date(Date.now() - 3600_000) },
    });
    try {
      expectError(await call(behind, 'GET', '/v1/me', alice.accessToken), 401, 'unauthenticated');
    } finally {
      await behind.close();
    }
  });

  it('rate-limits a user with 429', async () => {
    const limited = await startTestBroker(idp, { rateLimitPerMinute: 3 });
    try {
      for (let i = 0; i < 3; i += 1)
        expect((await call(limited, 'GET', '/v1/me', alice.accessToken)).status).toBe(200);
      expectError(await call(limited, 'GET', '/v1/me', alice.accessToken), 429, 'rate_limited');
      expect((await call(limited, 'GET', '/v1/me', carol.accessToken)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
