/**
 * The `broker-issue` load: autocannon at 64 connections, against the empty route or the
 * broker's request + credentials flow. Runs in the bench's own process, or — when this file is
 * run as a script — in a child process (the figures for the empty route were taken with
 * autocannon in a process of its own), reading its job from the first argument (a JSON file) and
 * printing the result as JSON.
 */
import { readFile } from 'node:fs/promises';
import autocannon from 'autocannon';

/** One load run's result. */
export interface LoadResult {
  rps: number;
  p99: number;
  non2xx: number;
  total: number;
  /** CPU of the process that ran autocannon, µs. */
  cpuUs: number;
}

/** What to load: the empty route, or the broker flow with these tokens (one user each). */
export interface LoadJob {
  kind: 'empty' | 'broker';
  url: string;
  connections: number;
  durationSeconds: number;
  tokens: string[];
}

function brokerRequests(tokens: readonly string[]): autocannon.Request[] {
  let next = 0;
  const body = JSON.stringify({ role: 'prod-api-readonly', durationSeconds: 600, reason: 'bench' });
  return [
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
  ];
}

/** Runs `job` in this process. */
export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const before = process.cpuUsage();
  const common = { connections: job.connections, duration: job.durationSeconds };
  const result = await autocannon(
    job.kind === 'empty'
      ? {
          ...common,
          url: job.url,
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json' },
        }
      : { ...common, url: job.url, requests: brokerRequests(job.tokens) },
  );
  const cpu = process.cpuUsage(before);
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    total: result.requests.total,
    cpuUs: cpu.user + cpu.system,
  };
}

if (process.argv[1]?.endsWith('broker-issue-load.ts')) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: broker-issue-load.ts <job.json>');
  const job = JSON.parse(await readFile(file, 'utf8')) as LoadJob;
  process.stdout.write(`${JSON.stringify(await runLoad(job))}\n`);
}
