/**
 * Issue 18, finding 0 (high), as observed: the broker process (`hourglass-broker serve`) is killed
 * with SIGKILL during concurrent request + credential pairs for a PostgreSQL role of a few
 * seconds, left down, restarted, and every failed call is retried (the request with its
 * Idempotency-Key). After each run, polled with a deadline: 0 login roles at the target without a
 * live grant (threat: a role that outlives its grant), 0 acknowledged grants lost, 0 duplicates,
 * everything due revoked, and the audit chain verifies. On the store under test (SQLite, or
 * PostgreSQL with HOURGLASS_TEST_STORE=postgres). Short by default (1 run of 40 pairs, roles of 10-20 s);
 * HOURGLASS_SECURITY_LONG=1 runs the series (15 runs of 200 pairs, roles of 20-60 s,
 * down 5-25 s).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantResponseSchema } from '../../protocol/broker-api.ts';
import { startBenchIssuer, type BenchIssuer } from '../../bench/bench-issuer.ts';
import { verifyAuditLog } from '../audit/verify.ts';
import { createPgTarget, type PgTargetFixture } from '../providers/postgres/pg-target.fixture.ts';
import { openStore, type OpenStore } from '../store/open-store.ts';
import { TEST_BACKEND, tempDir, testStoreLocation } from '../test-support.ts';

const LONG = process.env.HOURGLASS_SECURITY_LONG === '1';
const RUNS = LONG ? 15 : 1;
const PAIRS = LONG ? 200 : 40;
/** Grant durations (s), time down (ms). */
const DURATION = LONG ? [20, 60] : [10, 20];
const DOWN_MS = LONG ? [5000, 25_000] : [300, 1500];
const BIN = fileURLToPath(new URL('../../bin/hourglass-broker.js', import.meta.url));
const AUDIENCE = 'urn:hourglass:broker';
const ADMIN_ENV = 'HG_CRASH_TARGET_ADMIN_URL';

const between = ([lo, hi]: number[]) =>
  Math.floor((lo ?? 0) + Math.random() * ((hi ?? 0) - (lo ?? 0)));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it answers a value, or fails after `ms` naming `what`. */
async function poll<T>(
  check: () => Promise<T | undefined>,
  ms: number,
  what: () => string,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what()}`);
    await pause(100);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** One broker process; resolves once it listens. */
function serve(config: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--config', config], { stdio: 'pipe', env });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('listening on')) resolve(child);
    });
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code, signal) =>
      reject(new Error(`broker exited ${String(code ?? signal)}:\n${out}`)),
    );
  });
}

/** What one pair saw acknowledged. */
interface PairOutcome {
  subject: string;
  grantId: string | null;
  credentialUser: string | null;
}

describe(`kill -9 of the broker during request + credential pairs (${TEST_BACKEND}), threat: login roles outliving their grants`, () => {
  let issuer: BenchIssuer;
  let target: PgTargetFixture;
  let store: OpenStore;
  let config: string;
  let url: string;
  let env: NodeJS.ProcessEnv;
  let broker: ChildProcess | undefined;

  beforeAll(async () => {
    issuer = await startBenchIssuer();
    target = await createPgTarget();
    const dir = tempDir();
    const location = await testStoreLocation();
    writeFileSync(
      join(dir, 'policy.yaml'),
      `tenant: t
roles:
  - name: orders-ro
    provider: { kind: postgres, target: orders, role: ${target.groupRole}, connectionLimit: 2 }
    eligible: { groups: [engineers] }
    maxDuration: 1h
    approval: { required: 0 }
    reason: { required: false }
`,
    );
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    config = join(dir, 'broker.yaml');
    writeFileSync(
      config,
      JSON.stringify({
        issuers: [{ issuer: issuer.issuer, audience: AUDIENCE }],
        policyPath: join(dir, 'policy.yaml'),
        signingKeyPath: join(dir, 'key.jwk'),
        port,
        rateLimitPerMinute: 1_000_000,
        targets: { orders: { kind: 'postgres', adminUrl: { env: ADMIN_ENV } } },
        ...location,
      }),
    );
    env = { ...process.env, [ADMIN_ENV]: target.adminUrl };
    broker = await serve(config, env);
    store = await openStore(location);
  }, 60_000);

  afterAll(async () => {
    if (broker && broker.exitCode === null && broker.signalCode === null) {
      const exited = new Promise((resolve) => broker?.once('exit', resolve));
      broker.kill('SIGTERM');
      await exited;
    }
    await store?.db.destroy();
    await issuer?.close();
    await target?.drop();
  });

  /** A call that is retried, same body and key, until it gets an HTTP answer that is not a 5xx. */
  async function call(
    path: string,
    token: string,
    body: unknown,
    key?: string,
  ): Promise<{ status: number; json: unknown }> {
    for (;;) {
      try {
        const answer = await fetch(`${url}${path}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            ...(key ? { 'idempotency-key': key } : {}),
          },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(20_000),
        });
        if (answer.status < 500) return { status: answer.status, json: await answer.json() };
      } catch {
        // The broker is down (or was killed mid-call): retry, as a client with the key would.
      }
      await pause(100);
    }
  }

  async function pair(token: string, subject: string): Promise<PairOutcome> {
    const key = randomUUID();
    const requested = await call(
      '/v1/requests',
      token,
      { role: 'orders-ro', durationSeconds: between(DURATION), reason: '' },
      key,
    );
    if (requested.status !== 201 && requested.status !== 200)
      throw new Error(`request answered ${requested.status}: ${JSON.stringify(requested.json)}`);
    const { grant } = grantResponseSchema.parse(requested.json);
    const fetched = await call(`/v1/grants/${grant.id}/credentials`, token, {});
    // A grant that ended before its credential came (a short one across a long outage) answers 409.
    const user =
      fetched.status === 200
        ? String((fetched.json as { credential: { user: string } }).credential.user)
        : null;
    if (fetched.status !== 200 && fetched.status !== 409)
      throw new Error(`credential answered ${fetched.status}: ${JSON.stringify(fetched.json)}`);
    return { subject, grantId: grant.id, credentialUser: user };
  }

  it(
    `${RUNS} runs of ${PAIRS} pairs: 0 orphan login roles, 0 lost or duplicate grants, all due revoked, audit intact`,
    async () => {
      const figures: string[] = [];
      for (let run = 0; run < RUNS; run += 1) {
        const prefix = `r${run}x`;
        const tokens = await issuer.tokens(PAIRS, AUDIENCE, { subjectPrefix: prefix });
        const pairs = Promise.all(tokens.map((token, i) => pair(token, `${prefix}${i}`)));
        // Killed at a random point of the run, left down, restarted on the same port.
        await pause(between([50, 1200]));
        const running = broker;
        const exited = new Promise((resolve) => running?.once('exit', resolve));
        running?.kill('SIGKILL');
        await exited;
        await pause(between(DOWN_MS));
        broker = await serve(config, env);
        const outcomes = await pairs;

        const acknowledged = outcomes.flatMap((o) => (o.grantId ? [o.grantId] : []));
        const rows = await store.db
          .selectFrom('grants')
          .select(['id', 'subject', 'status'])
          .where('subject', 'like', `${prefix}%`)
          .execute();
        // 0 lost, 0 duplicates: each pair's key made exactly one grant, the one it was answered.
        expect(rows.map((r) => r.id).sort()).toEqual([...acknowledged].sort());
        expect(new Set(rows.map((r) => r.subject)).size).toBe(rows.length);

        // Everything falls due and is revoked; no login role of this broker is left at the target.
        const lastDeadline = Date.now() + DURATION[1]! * 1000;
        await poll(
          async () => {
            const [open, pending, roles] = await Promise.all([
              store.db.selectFrom('grants').select('id').where('status', '=', 'active').execute(),
              store.db
                .selectFrom('outbox')
                .select('seq')
                .where('kind', '=', 'provider')
                .where('done_at', 'is', null)
                .execute(),
              target.grantRoles(),
            ]);
            return open.length === 0 && pending.length === 0 && roles.length === 0
              ? true
              : undefined;
          },
          lastDeadline - Date.now() + 60_000,
          () =>
            `run ${run}: every grant expired and revoked, and no login role left at ${target.database}`,
        );
        expect(await target.grantRoles()).toEqual([]);
        const audit = await verifyAuditLog(store.db);
        expect(audit.ok, JSON.stringify(audit)).toBe(true);
        const removed = await store.db
          .selectFrom('audit')
          .select('seq')
          .where('event', '=', 'orphan_removed')
          .execute();
        const skipped = await store.db
          .selectFrom('audit')
          .select('seq')
          .where('event', '=', 'effect_skipped')
          .execute();
        const credentials = outcomes.filter((o) => o.credentialUser !== null).length;
        figures.push(
          `run ${run}: ${acknowledged.length} grants, ${credentials} credentials, 0 orphans at the target, ` +
            `${skipped.length} issues skipped (grant ended), ${removed.length} removed by reconciliation (cumulative)`,
        );
      }
      const health = (await (await fetch(`${url}/healthz`)).json()) as {
        reconciliation?: { providers: Record<string, string> };
      };
      expect(health.reconciliation?.providers.postgres).toBe('listed');
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain('# TYPE hourglass_orphans_removed_total counter');
      process.stdout.write(`orphan crash series (${TEST_BACKEND}):\n  ${figures.join('\n  ')}\n`);
    },
    (LONG ? 60 * 60 : 240) * 1000,
  );
});
