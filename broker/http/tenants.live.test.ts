/**
 * Several tenants in one broker process (prod-eu, prod-us under /tenants/<name>), sharing nothing:
 * each signs with its own key under its own issuer, keeps its own store, and accepts only the
 * issuers allowed in it. A credential minted in prod-eu is refused by a prod-us target.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  brokerDiscoverySchema,
  credentialsResponseSchema,
  grantResponseSchema,
  jwtCredentialSchema,
  readinessSchema,
} from '../../protocol/broker-api.ts';
import { errorBodySchema } from '../../protocol/errors.ts';
import { obtainTestTokens } from '../../demo/idp-login-driver.ts';
import { BROKER_AUDIENCE } from '../../demo/stack.ts';
import type { DemoIdp } from '../../demo/idp.ts';
import type { RunningBroker, RunningTenant } from '../start-broker.ts';
import { checkProviderHealth } from '../drill/drill-health.ts';
import { openSse } from './sse-test-client.ts';
import { call, startTestIdp, waitFor } from './live-harness.ts';
import { jwtRole, startTenantsBroker, tenantPolicy, tenantsConfig } from './tenants-harness.ts';

let corp: DemoIdp;
let partner: DemoIdp;
let broker: RunningBroker;
let eu: RunningTenant;
let us: RunningTenant;
const tokens: Record<string, string> = {};
const token = (who: string): string => tokens[who] ?? '';
const AUDIENCE = 'https://api.internal';

// One webhook receiver; each tenant posts to its own path.
const delivered: { path: string; body: string }[] = [];
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    delivered.push({ path: req.url ?? '', body });
    res.end('ok');
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hook = (name: string) => [
    { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/${name}` },
  ];
  [corp, partner] = await Promise.all([startTestIdp(), startTestIdp()]);
  const api = jwtRole('api', ['corp:engineers', 'partner:engineers']);
  broker = await startTenantsBroker(
    await tenantsConfig(
      [
        { issuer: corp.issuer, audience: BROKER_AUDIENCE, name: 'corp' },
        {
          issuer: partner.issuer,
          audience: BROKER_AUDIENCE,
          name: 'partner',
          tenants: ['prod-eu'],
        },
      ],
      [
        { name: 'prod-eu', policy: tenantPolicy('prod-eu', api), webhooks: hook('prod-eu') },
        { name: 'prod-us', policy: tenantPolicy('prod-us', api), webhooks: hook('prod-us') },
      ],
    ),
  );
  eu = broker.tenant('prod-eu');
  us = broker.tenant('prod-us');
  tokens.corp = (await obtainTestTokens(corp.issuer, 'alice', BROKER_AUDIENCE)).accessToken;
  tokens.partner = (await obtainTestTokens(partner.issuer, 'alice', BROKER_AUDIENCE)).accessToken;
});
let closed = false;
afterAll(async () => {
  if (!closed) await broker?.close();
  await Promise.all([corp?.close(), partner?.close()]);
  receiver.close();
});

const keysOf = (t: RunningTenant) => createRemoteJWKSet(new URL(`${t.url}/.well-known/jwks.json`));

describe('several tenants in one broker', () => {
  it('mounts each tenant under /tenants/<name>', () => {
    expect(eu.url).toBe(`${broker.url}/tenants/prod-eu`);
    expect(us.url).toBe(`${broker.url}/tenants/prod-us`);
    expect(() => broker.db).toThrow(/several tenants/);
  });

  it('a prod-eu credential verifies in prod-eu and is refused by a prod-us target', async () => {
    const created = await call(eu, 'POST', '/v1/requests', token('corp'), {
      role: 'api',
      durationSeconds: 600,
      reason: 'tenant test',
    });
    const { grant } = grantResponseSchema.parse(created.body);
    const issued = await call(eu, 'POST', `/v1/grants/${grant.id}/credentials`, token('corp'));
    const { token: credential } = jwtCredentialSchema.parse(
      credentialsResponseSchema.parse(issued.body).credential,
    );
    expect(decodeJwt(credential).iss).toBe(eu.url);
    const audience = AUDIENCE;
    await expect(
      jwtVerify(credential, keysOf(eu), { issuer: eu.url, audience }),
    ).resolves.toBeTruthy();
    // A prod-us target trusts prod-us's key set and issuer only.
    await expect(jwtVerify(credential, keysOf(us), { issuer: us.url, audience })).rejects.toThrow();
    await expect(jwtVerify(credential, keysOf(us), { audience })).rejects.toThrow(/signature|key/i);
    // A target that discovers and introspects: prod-eu's documents under its mount say active,
    // prod-us's say inactive.
    const introspect = async (t: RunningTenant) => {
      const discovery = (await (
        await fetch(`${t.url}/.well-known/openid-configuration`)
      ).json()) as { issuer: string; introspection_endpoint: string };
      expect(discovery.issuer).toBe(t.url);
      const answer = await fetch(discovery.introspection_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: credential }).toString(),
      });
      return ((await answer.json()) as { active: boolean }).active;
    };
    expect(await introspect(eu)).toBe(true);
    expect(await introspect(us)).toBe(false);
    // The grant does not exist in prod-us, and each tenant's rows are in its own store.
    expect((await call(us, 'GET', `/v1/grants/${grant.id}`, token('corp'))).status).toBe(404);
    const rows = async (t: RunningTenant) =>
      (await t.db.selectFrom('grants').select(['id', 'tenant']).execute()).map((r) => ({ ...r }));
    expect(await rows(eu)).toEqual([{ id: grant.id, tenant: 'prod-eu' }]);
    expect(await rows(us)).toEqual([]);
    const usAudit = await us.db.selectFrom('audit').select('grant_id').execute();
    expect(usAudit.filter((r) => r.grant_id === grant.id)).toEqual([]);
  });

  it('refuses an issuer limited to prod-eu at prod-us, and publishes only the allowed issuers', async () => {
    expect((await call(eu, 'GET', '/v1/me', token('partner'))).status).toBe(200);
    const refused = await call(us, 'GET', '/v1/me', token('partner'));
    expect(refused.status).toBe(403);
    expect(errorBodySchema.parse(refused.body).error.message).toBe(
      'your identity provider may not act in tenant prod-us; use one trusted for it',
    );
    const discovery = async (t: RunningTenant) =>
      brokerDiscoverySchema.parse(await (await fetch(`${t.url}/.well-known/hourglass`)).json());
    expect((await discovery(eu)).issuers.map((i) => i.name)).toEqual(['corp', 'partner']);
    const usDiscovery = await discovery(us);
    expect(usDiscovery.issuers.map((i) => i.name)).toEqual(['corp']);
    expect(usDiscovery.brokerUrl).toBe(us.url);
  });

  it('answers paths outside every tenant in the one error body, a token demanded inside one', async () => {
    for (const path of ['/tenants/prod-xx/v1/me', '/v1/me', '/.well-known/hourglass']) {
      const res = await fetch(`${broker.url}${path}`);
      expect(res.status).toBe(404);
      const { error } = errorBodySchema.parse(await res.json());
      expect(error.code).toBe('not_found');
      expect(error.message).not.toMatch(/prod-eu|prod-us/);
    }
    const unknownRoute = await fetch(`${eu.url}/v1/nope`);
    expect(unknownRoute.status).toBe(401);
  });

  it('serves /healthz, /readyz and /metrics at the root over every tenant', async () => {
    const healthz = (await (await fetch(`${broker.url}/healthz`)).json()) as Record<
      string,
      unknown
    >;
    expect(healthz).toMatchObject({
      status: 'ok',
      tenants: { 'prod-eu': { status: 'ok' }, 'prod-us': { status: 'ok' } },
    });
    const ready = await fetch(`${broker.url}/readyz?verbose`);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      providers: expect.arrayContaining([
        expect.objectContaining({ kind: 'jwt', tenant: 'prod-eu' }),
        expect.objectContaining({ kind: 'jwt', tenant: 'prod-us' }),
      ]),
    });
    // Each mount has its own readiness, which the drill reads for that tenant's providers.
    const euReady = readinessSchema.parse(await (await fetch(`${eu.url}/readyz?verbose`)).json());
    expect(euReady.providers?.length).toBeGreaterThan(0);
    expect(euReady.providers?.filter((p) => p.tenant !== 'prod-eu')).toEqual([]);
    const lines: string[] = [];
    const health = {
      brokerUrl: eu.url,
      role: 'api',
      token: token('corp'),
      out: (l: string) => lines.push(l),
    };
    expect(await checkProviderHealth(health)).toBeNull();
    expect(lines).toContain('PASS health jwt: ok');
    const metrics = await (await fetch(`${broker.url}/metrics`)).text();
    expect(metrics).toContain('hourglass_grants{tenant="prod-eu",state="active"} 1');
    expect(metrics).toContain('hourglass_grants{tenant="prod-us",state="active"} 0');
    expect(metrics).toMatch(/route="\/tenants\/prod-eu\/v1\/requests",status="201"/);
  });

  it('streams events and posts webhooks of each tenant for its own grants only, and ends the streams of every tenant on close', async () => {
    const [euStream, usStream] = await Promise.all(
      [eu, us].map((t) => openSse(`${t.url}/v1/events`, token('corp'))),
    );
    const grantFrames = (frames: { event?: string }[]) => frames.filter((f) => f.event === 'grant');
    await call(us, 'POST', '/v1/requests', token('corp'), {
      role: 'api',
      durationSeconds: 600,
      reason: 'tenant stream test',
    });
    await waitFor(
      () => (grantFrames(usStream?.frames ?? []).length > 0 ? true : undefined),
      'the prod-us grant event',
    );
    expect(grantFrames(euStream?.frames ?? [])).toEqual([]);
    // Each tenant's webhooks carry its own grants only.
    const idsOf = async (t: RunningTenant) =>
      (await t.db.selectFrom('grants').select('id').execute()).map((r) => r.id);
    const ids = { 'prod-eu': await idsOf(eu), 'prod-us': await idsOf(us) };
    const mentions = (path: string, id: string) =>
      delivered.some((d) => d.path === path && d.body.includes(id));
    await waitFor(
      () =>
        ids['prod-eu'].every((id) => mentions('/prod-eu', id)) &&
        ids['prod-us'].every((id) => mentions('/prod-us', id))
          ? true
          : undefined,
      "each tenant's webhook deliveries",
    );
    expect(ids['prod-us'].filter((id) => mentions('/prod-eu', id))).toEqual([]);
    expect(ids['prod-eu'].filter((id) => mentions('/prod-us', id))).toEqual([]);
    closed = true;
    await broker.close();
    await Promise.all([euStream?.ended, usStream?.ended]);
  });
});
