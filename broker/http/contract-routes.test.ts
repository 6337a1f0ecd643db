import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerContract, errorBodySchema } from '../../protocol/index.ts';
import type { DemoIdp } from '../../demo/idp.ts';
import { obtainTestTokens } from '../../demo/idp-login-driver.ts';
import { BROKER_AUDIENCE } from '../../demo/stack.ts';
import type { RunningBroker } from '../start-broker.ts';
import { startTestBroker, startTestIdp } from './live-harness.ts';

// Every broker contract method is a served route: without a token each answers 401 (not 404).
describe('broker routes match the contract', () => {
  let idp: DemoIdp;
  let broker: RunningBroker;

  beforeAll(async () => {
    idp = await startTestIdp();
    broker = await startTestBroker(idp);
  });

  afterAll(async () => {
    await broker?.close();
    await idp?.close();
  });

  it.each(Object.entries(brokerContract))(
    '%s is served and demands a token',
    async (_name, route) => {
      const path = route.path.replace(':id', 'AAAAAAAAAAAAAAAAAAAAAA');
      const res = await fetch(`${broker.url}${path}`, {
        method: route.method,
        ...(route.method === 'POST'
          ? { headers: { 'content-type': 'application/json' }, body: '{}' }
          : {}),
      });
      expect(res.status).toBe(401);
      const body = errorBodySchema.parse(await res.json());
      expect(body.error.code).toBe('unauthenticated');
      expect(body.error.message).toMatch(/hourglass login/);
    },
  );

  it('every served /v1 route is a contract method, and every contract method is served', () => {
    const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`;
    const servedV1 = broker.routes
      .filter((r) => r.url.startsWith('/v1/'))
      .map(key)
      .sort();
    const contract = Object.values(brokerContract)
      .map((r) => key({ method: r.method, url: r.path }))
      .sort();
    expect(servedV1).toEqual(contract);
    // Outside /v1 only health, readiness, metrics, the key set and setup discovery, without a token,
    // and what providers publish for targets: OIDC discovery, introspection, the SSH revocation list.
    expect(
      broker.routes
        .filter((r) => !r.url.startsWith('/v1/'))
        .map(key)
        .sort(),
    ).toEqual([
      'GET /.well-known/hourglass',
      'GET /.well-known/jwks.json',
      'GET /.well-known/openid-configuration',
      'GET /healthz',
      'GET /metrics',
      'GET /readyz',
      'GET /ssh/revoked-keys',
      'POST /oauth/introspect',
    ]);
  });

  it('an unknown route answers 401 without a token and 404 with one, in the same error body', async () => {
    const anonymous = await fetch(`${broker.url}/v1/nope`);
    expect(anonymous.status).toBe(401);
    const { accessToken } = await obtainTestTokens(idp.issuer, 'alice', BROKER_AUDIENCE);
    const res = await fetch(`${broker.url}/v1/nope`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(res.status).toBe(404);
    expect(errorBodySchema.parse(await res.json()).error.code).toBe('not_found');
  });
});
