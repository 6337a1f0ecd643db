/**
 * `broker-issue`: `POST /v1/requests` then `POST /v1/grants/:id/credentials` for a no-approval
 * `jwt` role, every request a new user (real ES256 token verification, policy, store, audit,
 * signing), autocannon at 64 connections — against an empty Fastify route served the same way,
 * in the same run. SQLite and PostgreSQL (when HOURGLASS_TEST_PG_URL names a cluster).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { parseBrokerConfig } from '../broker/config.ts';
import { startBroker } from '../broker/start-broker.ts';
import { BROKER_AUDIENCE, DEMO_POLICY_PATH } from '../demo/stack.ts';
import { startBenchIssuer } from './bench-issuer.ts';
import { freshPgUrl } from '../broker/test-support.ts';

const CONNECTIONS = 64;
const DURATION_S = Number(process.env.HOURGLASS_BENCH_SECONDS ?? 8);
const USERS = Number(process.env.HOURGLASS_BENCH_USERS ?? 40_000);

interface Run {
  rps: number;
  p99: number;
  non2xx: number;
  /** CPU of this process (server and autocannon) per request, µs: steadier than req/s under load. */
  cpuPerRequestUs: number;
}

async function cannon(opts: autocannon.Options): Promise<Run> {
  const before = process.cpuUsage();
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION_S, ...opts });
  const cpu = process.cpuUsage(before);
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    cpuPerRequestUs: (cpu.user + cpu.system) / Math.max(1, result.requests.total),
  };
}

async function emptyRoute(): Promise<Run> {
  const app = Fastify();
  app.post('/empty', () => ({}));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    return await cannon({
      url: `${url}/empty`,
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
  } finally {
    await app.close();
  }
}

async function brokerRun(
  store: 'sqlite' | 'postgres',
  tokens: string[],
  issuer: string,
): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'hourglass-bench-'));
  const pgUrl = process.env.HOURGLASS_TEST_PG_URL;
  const parsed = parseBrokerConfig({
    issuers: [{ issuer, audience: BROKER_AUDIENCE }],
    policyPath: DEMO_POLICY_PATH,
    signingKeyPath: join(dir, 'key.jwk'),
    rateLimitPerMinute: 10_000_000,
    ...(store === 'postgres' && pgUrl
      ? { databaseUrl: await freshPgUrl(pgUrl) }
      : { databasePath: join(dir, 'broker.sqlite') }),
  });
  if (parsed.status === 'error') throw new Error(parsed.message);
  const broker = await startBroker(parsed.config);
  let next = 0;
  try {
    const body = JSON.stringify({
      role: 'prod-api-readonly',
      durationSeconds: 600,
      reason: 'bench',
    });
    return await cannon({
      url: broker.url,
      requests: [
        {
          method: 'POST',
          path: '/v1/requests',
          setupRequest: (req, ctx: object) => {
            const context = ctx as Record<string, unknown>;
            const token = tokens[next++ % tokens.length] ?? '';
            context.token = token;
            return {
              ...req,
              body,
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            };
          },
          onResponse: (_status, resBody, ctx: object) => {
            const context = ctx as Record<string, unknown>;
            context.grant = (JSON.parse(resBody) as { grant?: { id?: string } }).grant?.id;
          },
        },
        {
          method: 'POST',
          setupRequest: (req, ctx: object) => {
            const context = ctx as Record<string, unknown>;
            return {
              ...req,
              path: `/v1/grants/${String(context.grant)}/credentials`,
              body: '{}',
              headers: {
                'content-type': 'application/json',
                authorization: `Bearer ${String(context.token)}`,
              },
            };
          },
        },
      ],
    });
  } finally {
    await broker.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs the bench; returns whether the goals hold (throughput ≥ 0.5× empty; p99 ≤ 20 ms SQLite). */
export async function benchBrokerIssue(): Promise<boolean> {
  const issuer = await startBenchIssuer();
  try {
    const tokens = await issuer.tokens(USERS, BROKER_AUDIENCE);
    const empty = await emptyRoute();
    console.log(
      `empty Fastify POST: ${empty.rps.toFixed(0)} req/s, p99 ${empty.p99} ms, ${empty.cpuPerRequestUs.toFixed(0)} µs CPU/request`,
    );
    let ok = true;
    const stores = (process.env.HOURGLASS_TEST_PG_URL ? ['sqlite', 'postgres'] : ['sqlite']).filter(
      (store): store is 'sqlite' | 'postgres' =>
        // HOURGLASS_BENCH_STORES=postgres (or sqlite) measures one store only.
        (process.env.HOURGLASS_BENCH_STORES ?? 'sqlite,postgres').split(',').includes(store),
    );
    for (const store of stores) {
      const run = await brokerRun(store, tokens, issuer.issuer);
      const ratio = run.rps / empty.rps;
      const p99ok = store !== 'sqlite' || run.p99 <= 20;
      const met = ratio >= 0.5 && p99ok && run.non2xx === 0;
      ok &&= met;
      console.log(
        `broker-issue (${store}): ${run.rps.toFixed(0)} req/s (request + credentials, half each), p99 ${run.p99} ms, non-2xx ${run.non2xx}, ${run.cpuPerRequestUs.toFixed(0)} µs CPU/request; ratio ${ratio.toFixed(2)} of empty (goal ≥ 0.5${store === 'sqlite' ? ', p99 ≤ 20 ms' : ''}) ${met ? 'ok' : 'OVER GOAL'}`,
      );
    }
    return ok;
  } finally {
    await issuer.close();
  }
}

if (process.argv[1]?.endsWith('broker-issue.bench.ts')) {
  process.exitCode = (await benchBrokerIssue()) ? 0 : 1;
}
