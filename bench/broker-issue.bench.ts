/**
 * `broker-issue`: `POST /v1/requests` then `POST /v1/grants/:id/credentials` for a no-approval
 * `jwt` role, every request a new user (real ES256 token verification, policy, store, audit,
 * signing), autocannon at 64 connections — against an empty Fastify route served the same way,
 * in the same run: once with autocannon in this process, once with it in a child process.
 * SQLite and PostgreSQL (when HOURGLASS_TEST_PG_URL names a cluster).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import { z } from 'zod';
import { parseBrokerConfig } from '../broker/config.ts';
import { startBroker } from '../broker/start-broker.ts';
import { BROKER_AUDIENCE, DEMO_POLICY_PATH } from '../demo/stack.ts';
import { startBenchIssuer } from './bench-issuer.ts';
import { freshPgUrl } from '../broker/test-support.ts';
import { runLoad, type LoadJob, type LoadResult } from './broker-issue-load.ts';

const execFileAsync = promisify(execFile);

const CONNECTIONS = 64;
const DURATION_S = Number(process.env.HOURGLASS_BENCH_SECONDS ?? 8);
const USERS = Number(process.env.HOURGLASS_BENCH_USERS ?? 40_000);
const LOAD_SCRIPT = fileURLToPath(new URL('./broker-issue-load.ts', import.meta.url));

/** Where autocannon runs: in this process (with the server), or in a child process of its own. */
type Mode = 'in-process' | 'separate';
const MODE_LABEL: Record<Mode, string> = {
  'in-process': 'autocannon in-process',
  separate: 'autocannon in a separate process',
};

interface Run {
  rps: number;
  p99: number;
  non2xx: number;
  /**
   * CPU of this process per request, µs (steadier than req/s under load): the server and
   * autocannon in-process; the server alone when autocannon runs in a separate process.
   */
  cpuPerRequestUs: number;
}

const loadResultSchema = z.object({
  rps: z.number(),
  p99: z.number(),
  non2xx: z.number(),
  total: z.number(),
  cpuUs: z.number(),
});

async function loadInChild(job: LoadJob): Promise<LoadResult> {
  const dir = await mkdtemp(join(tmpdir(), 'hourglass-load-'));
  try {
    const file = join(dir, 'job.json');
    await writeFile(file, JSON.stringify(job));
    const { stdout } = await execFileAsync(
      process.execPath,
      ['--import', 'tsx', LOAD_SCRIPT, file],
      {
        maxBuffer: 1 << 20,
      },
    );
    const last = stdout.trim().split('\n').at(-1) ?? '';
    return loadResultSchema.parse(JSON.parse(last));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function cannon(
  mode: Mode,
  job: Omit<LoadJob, 'connections' | 'durationSeconds'>,
): Promise<Run> {
  const full = { ...job, connections: CONNECTIONS, durationSeconds: DURATION_S };
  const before = process.cpuUsage();
  const result = mode === 'in-process' ? await runLoad(full) : await loadInChild(full);
  const cpu = process.cpuUsage(before);
  return {
    rps: result.rps,
    p99: result.p99,
    non2xx: result.non2xx,
    cpuPerRequestUs: (cpu.user + cpu.system) / Math.max(1, result.total),
  };
}

async function emptyRoute(mode: Mode): Promise<Run> {
  const app = Fastify();
  app.post('/empty', () => ({}));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    return await cannon(mode, { kind: 'empty', url: `${url}/empty`, tokens: [] });
  } finally {
    await app.close();
  }
}

async function brokerRun(
  store: 'sqlite' | 'postgres',
  mode: Mode,
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
  try {
    return await cannon(mode, { kind: 'broker', url: broker.url, tokens });
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
    const modes = (process.env.HOURGLASS_BENCH_MODES ?? 'in-process,separate')
      .split(',')
      .filter((mode): mode is Mode => mode === 'in-process' || mode === 'separate');
    const stores = (process.env.HOURGLASS_TEST_PG_URL ? ['sqlite', 'postgres'] : ['sqlite']).filter(
      (store): store is 'sqlite' | 'postgres' =>
        // HOURGLASS_BENCH_STORES=postgres (or sqlite) measures one store only.
        (process.env.HOURGLASS_BENCH_STORES ?? 'sqlite,postgres').split(',').includes(store),
    );
    let ok = true;
    for (const mode of modes) {
      const empty = await emptyRoute(mode);
      const cpuOf = mode === 'in-process' ? 'CPU/request' : 'server CPU/request';
      console.log(
        `empty Fastify POST (${MODE_LABEL[mode]}): ${empty.rps.toFixed(0)} req/s, p99 ${empty.p99} ms, ${empty.cpuPerRequestUs.toFixed(0)} µs ${cpuOf}`,
      );
      for (const store of stores) {
        const run = await brokerRun(store, mode, tokens, issuer.issuer);
        const ratio = run.rps / empty.rps;
        const p99ok = store !== 'sqlite' || run.p99 <= 20;
        const met = ratio >= 0.5 && p99ok && run.non2xx === 0;
        ok &&= met;
        console.log(
          `broker-issue (${store}, ${MODE_LABEL[mode]}): ${run.rps.toFixed(0)} req/s (request + credentials, half each), p99 ${run.p99} ms, non-2xx ${run.non2xx}, ${run.cpuPerRequestUs.toFixed(0)} µs ${cpuOf}; ratio ${ratio.toFixed(2)} of empty (goal ≥ 0.5${store === 'sqlite' ? ', p99 ≤ 20 ms' : ''}) ${met ? 'ok' : 'OVER GOAL'}`,
        );
      }
    }
    return ok;
  } finally {
    await issuer.close();
  }
}

if (process.argv[1]?.endsWith('broker-issue.bench.ts')) {
  process.exitCode = (await benchBrokerIssue()) ? 0 : 1;
}
