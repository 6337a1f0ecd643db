import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsResponseSchema, jwtCredentialSchema } from '../../../protocol/index.ts';
import type { DemoIdp } from '../../../demo/idp.ts';
import {
  startResourceServer,
  type ResourceServer,
} from '../../../demo/targets/http-resource-server.ts';
import { demoTokens, liveChecks } from '../../http/live-checks.ts';
import { startTestBroker, startTestIdp } from '../../http/live-harness.ts';
import type { RunningBroker } from '../../start-broker.ts';
import { tempDir } from '../../test-support.ts';

let idp: DemoIdp;
let broker: RunningBroker;
let orders: ResourceServer;
let billing: ResourceServer;
let alice: string;
let check: ReturnType<typeof liveChecks>;

beforeAll(async () => {
  const policyPath = join(tempDir(), 'policy.yaml');
  writeFileSync(
    policyPath,
    'tenant: t\nroles:\n  - name: orders-api\n    provider: { kind: jwt, audience: "https://orders.example" }\n    eligible: { groups: [engineers] }\n    maxDuration: 1h\n    reason: { required: false }\n',
  );
  idp = await startTestIdp();
  broker = await startTestBroker(idp, { config: { policyPath } });
  orders = await startResourceServer({ brokerUrl: broker.url, audience: 'https://orders.example' });
  billing = await startResourceServer({
    brokerUrl: broker.url,
    audience: 'https://billing.example',
  });
  ({ alice } = await demoTokens(idp));
  check = liveChecks(broker);
}, 30_000);
afterAll(async () => {
  await orders?.close();
  await billing?.close();
  await broker?.close();
  await idp?.close();
});

const introspect = async (token: string) =>
  (await (
    await fetch(`${broker.url}/oauth/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    })
  ).json()) as Record<string, unknown>;

describe('jwt provider: discovery, JWKS, introspection, a resource server', () => {
  it('publishes OIDC discovery naming its JWKS and introspection endpoint', async () => {
    const doc = (await (
      await fetch(`${broker.url}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      issuer: broker.url,
      jwks_uri: `${broker.url}/.well-known/jwks.json`,
      introspection_endpoint: `${broker.url}/oauth/introspect`,
    });
  });

  it('the API accepts the grant’s token, another API refuses it, and revocation is seen at once', async () => {
    const grant = check.grantOf(
      await check.post(alice, '/v1/requests', {
        role: 'orders-api',
        durationSeconds: 600,
        reason: '',
      }),
      201,
    );
    const answer = await check.post(alice, `/v1/grants/${grant.id}/credentials`, {});
    const { token } = jwtCredentialSchema.parse(
      credentialsResponseSchema.parse(answer.body).credential,
    );
    const call = (server: ResourceServer) =>
      fetch(`${server.url}/orders`, { headers: { authorization: `Bearer ${token}` } });
    expect((await call(orders)).status).toBe(200);
    expect(await introspect(token)).toMatchObject({
      active: true,
      sub: 'alice',
      grant_id: grant.id,
    });
    const other = await call(billing);
    expect(other.status).toBe(401);
    expect(await other.json()).toEqual({ error: 'token not valid for this API' });

    check.grantOf(await check.post(alice, `/v1/grants/${grant.id}/revoke`, {}));
    // The token's exp is still ahead; introspection says it is over, and so does the API.
    expect(await introspect(token)).toEqual({ active: false });
    const after = await call(orders);
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({ error: 'grant no longer active' });
  });

  it('introspection: inactive for garbage, a forged signature; 400 without a token', async () => {
    expect(await introspect('not-a-jwt')).toEqual({ active: false });
    const forged = 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.AAAA';
    expect(await introspect(forged)).toEqual({ active: false });
    const empty = await fetch(`${broker.url}/oauth/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(empty.status).toBe(400);
  });
});
