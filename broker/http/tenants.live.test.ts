/**
 * Tenants share nothing: two brokers (prod-eu, prod-us) with their own policy, store and signing
 * key. A credential minted in prod-eu is refused by a prod-us target (its key set and issuer).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  credentialsResponseSchema,
  grantResponseSchema,
  jwtCredentialSchema,
} from '../../protocol/broker-api.ts';
import { obtainTestTokens } from '../../demo/idp-login-driver.ts';
import { BROKER_AUDIENCE } from '../../demo/stack.ts';
import type { DemoIdp } from '../../demo/idp.ts';
import type { RunningBroker } from '../start-broker.ts';
import { tempDir } from '../test-support.ts';
import { call, startTestBroker, startTestIdp } from './live-harness.ts';

const policy = (tenant: string) => `tenant: ${tenant}
roles:
  - name: api
    provider: { kind: jwt, audience: https://api.internal }
    eligible: { groups: [engineers] }
    maxDuration: 1h
`;

let idp: DemoIdp;
const brokers: Record<string, RunningBroker> = {};
let alice: string;

beforeAll(async () => {
  idp = await startTestIdp();
  for (const tenant of ['prod-eu', 'prod-us']) {
    const policyPath = join(tempDir(), 'policy.yaml');
    writeFileSync(policyPath, policy(tenant));
    brokers[tenant] = await startTestBroker(idp, { config: { policyPath } });
  }
  alice = (await obtainTestTokens(idp.issuer, 'alice', BROKER_AUDIENCE)).accessToken;
});
afterAll(async () => {
  await Promise.all(Object.values(brokers).map((b) => b.close()));
  await idp?.close();
});

const broker = (tenant: string): RunningBroker => {
  const found = brokers[tenant];
  if (!found) throw new Error(tenant);
  return found;
};

describe('tenants with their own signing keys', () => {
  it('a prod-eu credential verifies in prod-eu and is refused by a prod-us target', async () => {
    const eu = broker('prod-eu');
    const us = broker('prod-us');
    const created = await call(eu, 'POST', '/v1/requests', alice, {
      role: 'api',
      durationSeconds: 600,
      reason: 'tenant test',
    });
    const { grant } = grantResponseSchema.parse(created.body);
    const row = await eu.db
      .selectFrom('grants')
      .select('tenant')
      .where('id', '=', grant.id)
      .executeTakeFirst();
    expect(row?.tenant).toBe('prod-eu');
    const issued = await call(eu, 'POST', `/v1/grants/${grant.id}/credentials`, alice);
    const { token } = jwtCredentialSchema.parse(
      credentialsResponseSchema.parse(issued.body).credential,
    );
    const keysOf = (b: RunningBroker) =>
      createRemoteJWKSet(new URL(`${b.url}/.well-known/jwks.json`));
    const audience = 'https://api.internal';
    await expect(jwtVerify(token, keysOf(eu), { issuer: eu.url, audience })).resolves.toBeTruthy();
    // A prod-us target trusts prod-us's key set and issuer only.
    await expect(jwtVerify(token, keysOf(us), { issuer: us.url, audience })).rejects.toThrow();
    await expect(jwtVerify(token, keysOf(us), { audience })).rejects.toThrow(/signature|key/i);
    // And the grant does not exist in prod-us.
    expect((await call(us, 'GET', `/v1/grants/${grant.id}`, alice)).status).toBe(404);
  });
});
