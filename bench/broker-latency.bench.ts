/**
 * Broker request cost: an authenticated `GET /v1/roles` (JWT verification, policy filtering,
 * contract serialization) against an empty Fastify route served by the same process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { parseBrokerConfig } from '../broker/config.ts';
import { startBroker } from '../broker/start-broker.ts';
import { obtainTestTokens } from '../demo/idp-login-driver.ts';
import { startDemoIdp } from '../demo/idp.ts';
import { BROKER_AUDIENCE, DEMO_POLICY_PATH } from '../demo/stack.ts';
import { medianMs, report } from './measure.ts';

async function get(url: string, token?: string): Promise<void> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  await res.arrayBuffer();
}

/** Runs the broker latency benchmark; returns whether every ratio meets its goal. */
export async function benchBrokerLatency(): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'hourglass-bench-'));
  const idp = await startDemoIdp({ brokerAudience: BROKER_AUDIENCE });
  const parsed = parseBrokerConfig({
    issuers: [{ issuer: idp.issuer, audience: BROKER_AUDIENCE }],
    policyPath: DEMO_POLICY_PATH,
    databasePath: join(dir, 'broker.sqlite'),
    signingKeyPath: join(dir, 'key.jwk'),
    rateLimitPerMinute: 1_000_000,
  });
  if (parsed.status === 'error') throw new Error(parsed.message);
  const broker = await startBroker(parsed.config);
  const empty = Fastify();
  empty.get('/empty', () => ({}));
  const emptyUrl = `${await empty.listen({ host: '127.0.0.1', port: 0 })}/empty`;
  try {
    const { accessToken } = await obtainTestTokens(idp.issuer, 'alice', BROKER_AUDIENCE);
    const runs = 400;
    const baseline = await medianMs(() => get(emptyUrl), runs, 50);
    const roles = await medianMs(() => get(`${broker.url}/v1/roles`, accessToken), runs, 50);
    const me = await medianMs(() => get(`${broker.url}/v1/me`, accessToken), runs, 50);
    const a = report('broker GET /v1/roles (median / empty route)', roles, baseline, 'ms', 4);
    const b = report('broker GET /v1/me (median / empty route)', me, baseline, 'ms', 4);
    return a && b;
  } finally {
    await empty.close();
    await broker.close();
    await idp.close();
    await rm(dir, { recursive: true, force: true });
  }
}
