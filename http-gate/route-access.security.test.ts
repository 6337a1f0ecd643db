/**
 * Threat: an authentication check and the router disagree on what path was asked for, so a
 * re-spelled path (`/%61pi/approveGrant`, `//v1/me`, `/v1/me;x=1`) reaches an authenticated
 * handler with no credential (issue 18, finding 2). Every route registered on the broker (one
 * tenant at the root, and several under /tenants/<name>) and on the local console, crossed with
 * every spelling of its path: without a credential, or with an invalid one, an authenticated
 * route is never answered 2xx, and a spelling the router sends to the same handler gets the same
 * refusal as the plain path.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestConsole } from '../agent/console/console-test-client.ts';
import { call, startTestBroker, startTestIdp, tableCounts } from '../broker/http/live-harness.ts';
import {
  jwtRole,
  startTenantsBroker,
  tenantPolicy,
  tenantsConfig,
} from '../broker/http/tenants-harness.ts';
import type { RunningBroker } from '../broker/start-broker.ts';
import type { DemoIdp } from '../demo/idp.ts';
import { obtainTestTokens } from '../demo/idp-login-driver.ts';
import { BROKER_AUDIENCE } from '../demo/stack.ts';
import { pathSpellings } from './path-spellings.test-support.ts';
import { sendProbe, type ProbeAnswer } from './raw-probe.test-support.ts';
import type { GatedRoute } from './route-access.ts';

/** A server under test: its routes and the headers of each kind of caller. */
interface Server {
  name: string;
  origin: string;
  routes: readonly GatedRoute[];
  /** Headers every caller sends (Origin for the console's CSRF check). */
  common: Record<string, string>;
  valid: Record<string, string>;
  invalid: Record<string, string>;
  /** Handler calls so far (an unauthenticated probe must add none). */
  effects: () => Promise<number>;
}

let idp: DemoIdp;
let broker: RunningBroker;
let tenants: RunningBroker;
let dir: string;
let consoleClient: Awaited<ReturnType<typeof startTestConsole>>;
const servers: Server[] = [];

const brokerServer = (
  name: string,
  b: RunningBroker,
  token: string,
  tenantNames: readonly (string | undefined)[] = [undefined],
): Server => ({
  name,
  origin: b.url,
  // HEAD twins of GET routes are routes too: probe them as well.
  routes: b.routes.flatMap((r) => (r.method === 'GET' ? [r, { ...r, method: 'HEAD' }] : [r])),
  common: {},
  valid: { authorization: `Bearer ${token}` },
  invalid: { authorization: 'Bearer not-a-jwt' },
  effects: async () => {
    let rows = 0;
    for (const tenant of tenantNames) {
      const counts = await tableCounts(tenant === undefined ? b : b.tenant(tenant));
      rows += counts.grants + counts.audit;
    }
    return rows;
  },
});

beforeAll(async () => {
  idp = await startTestIdp();
  const token = (await obtainTestTokens(idp.issuer, 'alice', BROKER_AUDIENCE)).accessToken;
  broker = await startTestBroker(idp);
  tenants = await startTenantsBroker(
    await tenantsConfig(
      [{ issuer: idp.issuer, audience: BROKER_AUDIENCE }],
      [
        { name: 'prod-eu', policy: tenantPolicy('prod-eu', jwtRole('eu-api', ['sre'])) },
        { name: 'prod-us', policy: tenantPolicy('prod-us', jwtRole('us-api', ['sre'])) },
      ],
    ),
  );
  dir = mkdtempSync(join(tmpdir(), 'hg-gate-'));
  mkdirSync(join(dir, 'static'));
  writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html><p>renderer</p>');
  consoleClient = await startTestConsole(join(dir, 'static'));
  const session = await consoleClient.newSession();
  const origin = consoleClient.server.origin;
  servers.push(
    brokerServer('broker', broker, token),
    brokerServer('broker of several tenants', tenants, token, ['prod-eu', 'prod-us']),
    {
      name: 'console',
      origin,
      routes: consoleClient.server.routes,
      common: { origin },
      valid: { 'x-hourglass-session': session },
      invalid: { 'x-hourglass-session': 'A'.repeat(43) },
      effects: () => Promise.resolve(consoleClient.reached.length),
    },
  );
});
afterAll(async () => {
  await consoleClient?.server.close();
  await tenants?.close();
  await broker?.close();
  await idp?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The route's path with its parameters filled in. */
const plainPath = (url: string): string =>
  url
    .replace(':id', 'AAAAAAAAAAAAAAAAAAAAAA')
    .replace(':method', 'getStatus')
    .replace(/\*$/, 'index.html');

function probe(server: Server, route: GatedRoute, path: string, caller: Record<string, string>) {
  const hasBody = !['GET', 'HEAD'].includes(route.method);
  return sendProbe(server.origin, {
    method: route.method,
    path,
    headers: {
      ...server.common,
      ...caller,
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
    },
    ...(hasBody ? { body: '{}' } : {}),
  });
}

const is2xx = (answer: ProbeAnswer) => answer.status >= 200 && answer.status < 300;

/** What identifies the handler that answered: status and body, without the request id. */
const signature = (answer: ProbeAnswer): string =>
  `${answer.status} ${answer.body.replace(/"requestId":"[0-9a-f]+"/, '')}`;

describe('path spellings cannot get past the access gate', () => {
  it('each server registers routes of both kinds, every one declared', () => {
    expect(servers.map((s) => s.name)).toEqual(['broker', 'broker of several tenants', 'console']);
    for (const server of servers) {
      const kinds = new Set(server.routes.map((r) => r.access));
      expect({ server: server.name, kinds: [...kinds].sort() }).toEqual({
        server: server.name,
        kinds: ['authenticated', 'public'],
      });
    }
  });

  it.each(['broker', 'broker of several tenants', 'console'])(
    '%s: no or an invalid credential is refused on every spelling of every authenticated route, as on the plain path',
    async (name) => {
      const server = servers.find((s) => s.name === name);
      if (!server) throw new Error(`no server ${name}`);
      let routedSpellings = 0;
      for (const route of server.routes) {
        const plain = plainPath(route.url);
        // Which handler answers is told by the body, so a HEAD route is looked up as its GET.
        const lookup = route.method === 'HEAD' ? { ...route, method: 'GET' } : route;
        const plainValid = await probe(server, lookup, plain, server.valid);
        const plainNone = await probe(server, route, plain, {});
        if (route.access === 'authenticated') {
          expect({ route, plain, status: plainNone.status }).toEqual({ route, plain, status: 401 });
          // The plain path with a credential is served (not refused), so the comparison below
          // tells a routed spelling from an unrouted one.
          expect({ route, status: plainValid.status }).not.toEqual({ route, status: 401 });
        }
        // With a credential first: which spellings does the router send to this handler?
        const spellings = [];
        for (const spelling of pathSpellings(plain)) {
          const valid = await probe(server, lookup, spelling.path, server.valid);
          // A 404 of the not-found handler names the path, so it never matches the plain answer.
          spellings.push({ spelling, sameHandler: signature(valid) === signature(plainValid) });
        }
        const effectsBefore = await server.effects();
        for (const { spelling, sameHandler } of spellings) {
          if (sameHandler && route.access === 'authenticated') routedSpellings += 1;
          for (const [caller, headers] of [
            ['no credential', {}],
            ['invalid credential', server.invalid],
          ] as const) {
            const answer = await probe(server, route, spelling.path, headers);
            const seen = { route, spelling, caller, status: answer.status };
            expect(answer.status, JSON.stringify(seen)).toBeLessThan(500);
            if (route.access !== 'authenticated') continue;
            expect(is2xx(answer), JSON.stringify(seen)).toBe(false);
            // Routed to the same handler: the same verdict as the plain path, a 401.
            if (sameHandler) expect(seen).toEqual({ ...seen, status: plainNone.status });
          }
        }
        // No handler ran for a caller without a valid credential: nothing changed.
        expect({ route, effects: await server.effects() }).toEqual({
          route,
          effects: effectsBefore,
        });
      }
      // Not vacuous: some spellings do reach authenticated handlers (the router decodes them).
      expect(routedSpellings).toBeGreaterThan(0);
    },
    // Some 2,000 requests each on a shared machine; a hang fails its own request after 5 s.
    180_000,
  );

  it('a spelled request with a valid body and no token creates no grant and no audit row', async () => {
    const before = await tableCounts(broker);
    const answer = await call(broker, 'POST', '/%76%31/requests', undefined, {
      role: 'prod-api-readonly',
      durationSeconds: 60,
      reason: 'spelled',
    });
    expect(answer.status).toBe(401);
    expect(await tableCounts(broker)).toEqual(before);
  });
});
