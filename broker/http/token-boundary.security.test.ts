/**
 * The access-token boundary of a live broker (issue 18): forged tokens from a key set that
 * publishes its private key (finding 1), and claim values that are numbers to jose but no date
 * to JavaScript (finding 9). Each answer is a 401, never a 200 and never a 5xx.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodySchema } from '../../protocol/errors.ts';
import { BROKER_AUDIENCE } from '../../demo/stack.ts';
import {
  p256Key,
  privateKeyFromJwk,
  signCompact,
  startForgeIssuer,
  type ForgeIssuer,
  type P256Key,
} from '../auth/token-forge.test-support.ts';
import type { RunningBroker } from '../start-broker.ts';
import { call, startTestBroker, type Answer } from './live-harness.ts';

const LONG = process.env.HOURGLASS_SECURITY_LONG === '1';

/** A broker trusting an issuer whose JWKS the test controls. */
async function brokerTrusting(
  keySet: unknown,
): Promise<{ idp: ForgeIssuer; broker: RunningBroker }> {
  const idp = await startForgeIssuer(keySet);
  const broker = await startTestBroker(idp, {
    config: { issuers: [{ issuer: idp.issuer, audience: BROKER_AUDIENCE }] },
  });
  return { idp, broker };
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** A payload in raw JSON text, so a claim may hold what JSON.stringify cannot write (`1e999`). */
function rawPayload(issuer: string, sub: string, raw: Record<string, string> = {}): Buffer {
  const fields: Record<string, string> = {
    iss: JSON.stringify(issuer),
    aud: JSON.stringify(BROKER_AUDIENCE),
    sub: JSON.stringify(sub),
    groups: '["engineers","approvers"]',
    iat: String(nowSeconds() - 5),
    exp: String(nowSeconds() + 300),
    jti: JSON.stringify(Math.random().toString(36)),
    ...raw,
  };
  const body = Object.entries(fields).map(([k, v]) => `${JSON.stringify(k)}:${v}`);
  return Buffer.from(`{${body.join(',')}}`);
}

function expectRefusal(answer: Answer, status = 401): string {
  expect(answer.status).toBe(status);
  return errorBodySchema.parse(answer.body).error.message;
}

describe('forgery over HTTP: a JWKS that publishes the private `d`', () => {
  let idp: ForgeIssuer;
  let broker: RunningBroker;
  let key: P256Key;
  beforeAll(async () => {
    key = p256Key();
    ({ idp, broker } = await brokerTrusting({
      keys: [{ ...key.privateJwk, kid: 'k1', alg: 'ES256' }],
    }));
  });
  afterAll(async () => {
    await broker?.close();
    await idp?.close();
  });

  it('lets no one act as `sub: ceo` with a key rebuilt from it, on the first call or any after', async () => {
    const forger = privateKeyFromJwk(key.privateJwk);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const token = signCompact({ alg: 'ES256', kid: 'k1' }, rawPayload(idp.issuer, 'ceo'), forger);
      expectRefusal(await call(broker, 'GET', '/v1/me', token));
      expectRefusal(
        await call(broker, 'POST', '/v1/requests', token, {
          role: 'prod-api-readonly',
          durationSeconds: 60,
          reason: 'forged',
        }),
      );
    }
  });
});

describe('claim values out of the date range (finding 9)', () => {
  let idp: ForgeIssuer;
  let broker: RunningBroker;
  let key: P256Key;
  beforeAll(async () => {
    key = p256Key();
    ({ idp, broker } = await brokerTrusting({
      keys: [{ ...key.publicJwk, kid: 'k1', alg: 'ES256' }],
    }));
  });
  afterAll(async () => {
    await broker?.close();
    await idp?.close();
  });

  const sign = (raw: Record<string, string>): string =>
    signCompact({ alg: 'ES256', kid: 'k1' }, rawPayload(idp.issuer, 'alice', raw), key.privateKey);

  it('a plain token from this issuer is accepted (the refusals below are about the claim)', async () => {
    expect((await call(broker, 'GET', '/v1/me', sign({}))).status).toBe(200);
  });

  it.each<[string, string]>([
    ['session_exp', '8640000000000'],
    ['session_exp', '1e300'],
    ['session_exp', '1e999'],
    ['session_exp', '-1'],
    ['session_exp', '"1900000000"'],
    ['exp', '1e300'],
    ['exp', '1e999'],
    ['auth_time', '-5'],
    ['auth_time', '8.64e15'],
    ['nbf', '-1e999'],
  ])('denial of service: %s = %s answers 401 naming the claim, not a 500', async (claim, raw) => {
    const token = sign({ [claim]: raw });
    for (const answer of [
      await call(broker, 'GET', '/v1/me', token),
      await call(broker, 'POST', '/v1/requests', token, {
        role: 'prod-api-readonly',
        durationSeconds: 60,
        reason: 'range check',
      }),
    ]) {
      expect(expectRefusal(answer)).toContain(`${claim} claim`);
    }
  });

  const rawValue = fc.oneof(
    fc.double().map((n) => (Number.isFinite(n) ? JSON.stringify(n) : n > 0 ? '1e999' : '-1e999')),
    fc.integer({ min: -(2 ** 53), max: 2 ** 53 }).map(String),
    fc.constantFrom(
      '1e999',
      '-1e999',
      '8.64e12',
      '8.64e15',
      '-0',
      '0',
      '0.5',
      '1e-300',
      'null',
      'true',
      '[]',
      '{}',
      '"NaN"',
      '"Infinity"',
      '"1900000000"',
    ),
    fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
    fc.integer({ min: 0, max: 2 ** 31 }).map((n) => String(nowSeconds() + n - 2 ** 30)),
  );
  const claimName = fc.constantFrom('exp', 'iat', 'nbf', 'auth_time', 'session_exp');

  it(
    'property: any values in the time claims get 2xx or 4xx, never a 5xx, and no echo of the token',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.dictionary(claimName, rawValue, { minKeys: 1 }), async (raw) => {
          const token = sign(raw);
          const answers = [
            await call(broker, 'GET', '/v1/me', token),
            await call(broker, 'POST', '/v1/requests', token, {
              role: 'prod-api-readonly',
              durationSeconds: 60,
              reason: 'fuzz',
            }),
          ];
          for (const answer of answers) {
            expect(answer.status).toBeLessThan(500);
            expect(JSON.stringify(answer.body)).not.toContain(token.split('.')[2]);
          }
        }),
        { numRuns: LONG ? 20_000 : 150, seed: LONG ? undefined : 18_009 },
      );
    },
    LONG ? 3_600_000 : 60_000,
  );
});
