/**
 * Revoke → wipe: bob (an approver) revokes alice's active grant at the broker; the time until
 * alice's agent has deleted the secret from her keychain (told by the broker's event stream).
 * Over 100 grants; goal p99 ≤ 2 s. Baseline: the revoke call's own round trip in the same run.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBrokerConfig } from '../broker/config.ts';
import { startBroker } from '../broker/start-broker.ts';
import { completeIdpLogin, obtainTestTokens } from '../demo/idp-login-driver.ts';
import { DEMO_CLIENT_ID, startDemoIdp } from '../demo/idp.ts';
import { BROKER_AUDIENCE, DEMO_POLICY_PATH } from '../demo/stack.ts';
import { createBrokerClient } from '../agent/broker-client.ts';
import { systemClock } from '../agent/clock.ts';
import { startAgent } from '../agent/host.ts';
import type { RunningAgent } from '../agent/host.ts';
import type { AgentSnapshot } from '../protocol/index.ts';
import { ok } from '../protocol/index.ts';
import { median, report } from './measure.ts';

const GRANTS = 100;
const GOAL_P99_MS = 2000;

/** The `q` quantile (0..1) of `values`, nearest rank. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

/** Resolves once a pushed snapshot satisfies `test`. */
function nextSnapshot(agent: RunningAgent, test: (s: AgentSnapshot) => boolean): Promise<number> {
  return new Promise((resolve) => {
    const unsubscribe = agent.subscribe((push) => {
      if (push.type !== 'snapshot' || !test(push.snapshot)) return;
      queueMicrotask(() => unsubscribe());
      resolve(performance.now());
    });
  });
}

async function signIn(agent: RunningAgent, user: string): Promise<void> {
  const begun = await agent.handlers.beginLogin({ openBrowser: false });
  if (!begun.ok) throw new Error(begun.error.message);
  const { callbackUrl } = await completeIdpLogin(begun.value.authorizationUrl, {
    login: user,
    password: 'demo',
  });
  await fetch(callbackUrl);
  const done = await agent.handlers.awaitLogin({ loginId: begun.value.loginId });
  if (!done.ok) throw new Error(done.error.message);
}

/** Runs the benchmark; returns whether p99 meets the goal. */
export async function benchRevokeWipe(): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'hourglass-bench-wipe-'));
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
  const agent = await startAgent(
    {
      issuer: idp.issuer,
      clientId: DEMO_CLIENT_ID,
      brokerUrl: broker.url,
      brokerAudience: BROKER_AUDIENCE,
      dataDir: join(dir, 'alice'),
      socketPath: join(dir, 'alice', 'agent.sock'),
      demo: true,
      allowInsecureHttp: true,
      warnBeforeSeconds: [],
      minExportSeconds: 0,
      profile: 'alice',
    },
    { serveLocalApi: false, keychainService: `hourglass-bench-${randomUUID().slice(0, 8)}` },
  );
  try {
    await signIn(agent, 'alice');
    const bobTokens = await obtainTestTokens(idp.issuer, 'bob', BROKER_AUDIENCE);
    const bob = createBrokerClient({
      brokerUrl: broker.url,
      accessToken: () => Promise.resolve(ok(bobTokens.accessToken)),
      clock: systemClock,
    });
    const wipeMs: number[] = [];
    const revokeMs: number[] = [];
    for (let i = 0; i < GRANTS; i++) {
      const asked = await agent.handlers.requestGrant({
        role: 'prod-api-admin',
        durationSeconds: 600,
        reason: `bench ${i}`,
        ticket: `INC-${i}`,
      });
      if (!asked.ok) throw new Error(asked.error.message);
      const id = asked.value.grant.id;
      const held = nextSnapshot(agent, (s) =>
        s.grants.some((g) => g.id === id && g.credentialStored),
      );
      const approved = await bob.approveGrant(id, {});
      if (!approved.ok) throw new Error(approved.error.message);
      await held;
      const wiped = nextSnapshot(agent, (s) =>
        s.grants.some((g) => g.id === id && g.wipedLocallyAt !== null),
      );
      const start = performance.now();
      const revoked = await bob.revokeGrant(id, { reason: 'bench' });
      revokeMs.push(performance.now() - start);
      if (!revoked.ok) throw new Error(revoked.error.message);
      wipeMs.push((await wiped) - start);
    }
    const p50 = quantile(wipeMs, 0.5);
    const p99 = quantile(wipeMs, 0.99);
    console.log(
      `revoke → wipe over ${GRANTS} grants: p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms (goal p99 ≤ ${GOAL_P99_MS} ms) ${p99 <= GOAL_P99_MS ? 'ok' : 'OVER GOAL'}`,
    );
    report('revoke → wipe p50 (ms / revoke round trip)', p50, median(revokeMs), 'ms', 20);
    return p99 <= GOAL_P99_MS;
  } finally {
    await agent.handlers.logout({});
    await agent.close();
    await broker.close();
    await idp.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('revoke-wipe.bench.ts')) {
  const met = await benchRevokeWipe();
  process.exitCode = met ? 0 : 1;
}
