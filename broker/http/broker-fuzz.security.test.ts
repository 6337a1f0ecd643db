/**
 * Threat: malformed input that crashes, hangs or 5xx's the broker, or an error answer (or a log
 * line) that echoes a bearer token or secret sent in the request (SECURITY.md requirement 17).
 *
 * A broker process as deployed (`hourglass-broker serve`, logging every request at `info`) gets
 * inputs generated from the zod contracts (valid bodies, then each one broken) and raw malformed
 * text on every route it serves: the route list comes from the broker itself, so a new route is
 * fuzzed without editing this file. Bearer tokens are real (alice, bob, carol), missing, garbage or
 * the canary; the canary also rides in
 * body fields and the Idempotency-Key (never in a URL: URLs are logged by design). Per route: 0 crashes, 0 requests over 1 s, 0
 * 5xx, and no error body or log line holding the canary. 100 inputs a route here; 100,000 in the
 * long run (`npm run security -- --long`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { brokerContract, grantResponseSchema } from '../../protocol/broker-api.ts';
import {
  CANARY,
  FuzzTally,
  canaryToken,
  fuzzBody,
  fuzzCount,
  fuzzPathParam,
  fuzzQuery,
  hangMs,
  percentEncode,
  runGenerated,
} from '../../protocol/fuzz.test-support.ts';
import { obtainTestTokens } from '../../demo/idp-login-driver.ts';
import { BROKER_AUDIENCE, DEMO_POLICY_PATH } from '../../demo/stack.ts';
import type { DemoIdp } from '../../demo/idp.ts';
import { TEST_BACKEND, freshPgUrl, tempDir } from '../test-support.ts';
import { call, startTestBroker, startTestIdp } from './live-harness.ts';

const BIN = fileURLToPath(new URL('../../bin/hourglass-broker.js', import.meta.url));
const PER_ROUTE = fuzzCount(100, 100_000);

let idp: DemoIdp;
let child: ChildProcess;
let url = '';
let log = '';
let routes: Array<{ method: string; url: string }> = [];
const tokens: Record<string, string> = {};
const grantIds: string[] = [];

/** `hourglass-broker serve` on the demo policy, its stdout and stderr kept. */
async function serveBroker(dir: string): Promise<void> {
  const config = join(dir, 'broker.json');
  writeFileSync(
    config,
    JSON.stringify({
      issuers: [{ issuer: idp.issuer, audience: BROKER_AUDIENCE }],
      policyPath: DEMO_POLICY_PATH,
      databasePath: join(dir, 'broker.sqlite'),
      signingKeyPath: join(dir, 'signing.jwk'),
      rateLimitPerMinute: 100_000_000,
      logLevel: 'info',
      ...(TEST_BACKEND === 'postgres' ? { databaseUrl: await freshPgUrl() } : {}),
    }),
  );
  child = spawn(process.execPath, [BIN, 'serve', '--config', config], { stdio: 'pipe' });
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`broker exited ${String(code)}:\n${log}`)));
  });
}

beforeAll(async () => {
  idp = await startTestIdp();
  // The routes as the broker registers them (an in-process twin of the served one).
  const twin = await startTestBroker(idp);
  routes = twin.routes.filter((r) => r.method !== 'OPTIONS').map((r) => ({ ...r }));
  await twin.close();
  await serveBroker(tempDir());
  for (const user of ['alice', 'bob', 'carol'])
    tokens[user] = (await obtainTestTokens(idp.issuer, user, BROKER_AUDIENCE)).accessToken;
  for (const [role, ticket] of [
    ['prod-api-readonly', undefined],
    ['prod-api-admin', 'INC-1'],
  ] as const) {
    const created = await call({ url }, 'POST', '/v1/requests', tokens.alice, {
      role,
      durationSeconds: 600,
      reason: 'fuzz seed',
      ...(ticket ? { ticket } : {}),
    });
    grantIds.push(grantResponseSchema.parse(created.body).grant.id);
  }
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await idp?.close();
});

/** The contract entry serving `method path`, if any (its body and query schemas). */
function contractOf(method: string, path: string) {
  for (const entry of Object.values(brokerContract))
    if (entry.method === method && path.endsWith(entry.path)) return entry;
  return undefined;
}

const authorization = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('alice', 'bob', 'carol') },
  { weight: 3, arbitrary: fc.constantFrom('canary', 'canary-raw', 'none', 'garbage', 'basic') },
);

function authHeader(who: string): string | undefined {
  switch (who) {
    case 'canary':
      return `Bearer ${canaryToken}`;
    case 'canary-raw':
      return canaryToken;
    case 'none':
      return undefined;
    case 'garbage':
      return `Bearer ${'A'.repeat(2000)}.${CANARY}`;
    case 'basic':
      return `Basic ${Buffer.from(`alice:${CANARY}`).toString('base64')}`;
    default:
      return `Bearer ${tokens[who] ?? ''}`;
  }
}

interface Input {
  who: string;
  path: string;
  body: string | undefined;
  contentType: string;
  idempotencyKey: string | undefined;
}

function inputFor(route: { method: string; url: string }): fc.Arbitrary<Input> {
  const entry = contractOf(route.method, route.url);
  const query = entry && 'query' in entry ? (entry.query as z.ZodType) : undefined;
  const body = route.method === 'GET' ? fc.constant(undefined) : fuzzBody(entry?.body ?? null);
  return fc.record({
    who: authorization,
    path: fc
      .tuple(fuzzPathParam(grantIds), fuzzQuery(query), fc.boolean())
      .map(([id, q, withQuery]) => {
        const path = route.url.replace(/:[A-Za-z]+/g, id || grantIds[0] || 'x');
        return withQuery && q !== '' ? `${path}?${q}` : path;
      }),
    body,
    contentType: fc.constantFrom('application/json', 'application/json', 'text/plain', ''),
    idempotencyKey: fc.option(fc.constantFrom('k1', CANARY, 'x'.repeat(300)), { nil: undefined }),
  });
}

type Outcome = { ms: number; status?: number; crashed?: boolean; echoed?: boolean };

/** Sends one input once and times it. */
async function sendOnce(route: { method: string }, input: Input): Promise<Outcome> {
  const headers: Record<string, string> = {};
  const auth = authHeader(input.who);
  if (auth !== undefined) headers.authorization = auth;
  if (input.contentType) headers['content-type'] = input.contentType;
  if (input.idempotencyKey) headers['idempotency-key'] = input.idempotencyKey;
  const started = performance.now();
  const aborter = new AbortController();
  const timer = setTimeout(() => aborter.abort(), hangMs * 5);
  try {
    const response = await fetch(`${url}${input.path}`, {
      method: route.method,
      headers,
      signal: aborter.signal,
      ...(input.body !== undefined && route.method !== 'GET' ? { body: input.body } : {}),
    });
    // An event stream stays open: its headers are the answer.
    const text = response.headers.get('content-type')?.startsWith('text/event-stream')
      ? (await response.body?.cancel(), '')
      : await response.text();
    return {
      ms: performance.now() - started,
      status: response.status,
      echoed: response.status >= 400 && text.includes(CANARY),
    };
  } catch {
    const ms = performance.now() - started;
    // An abort is a hang; a refused or reset connection is a crash (the process died or dropped us).
    return aborter.signal.aborted ? { ms: Math.max(ms, hangMs + 1) } : { ms, crashed: true };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends one input; one over 1 s is sent again and counts as a hang only if it is slow twice, so a
 * hang is a property of the input (a blow-up), not of a busy machine's scheduler.
 */
async function send(route: { method: string }, input: Input, tally: FuzzTally): Promise<void> {
  const shown = `${route.method} ${input.path} as ${input.who} ${input.body ?? ''}`;
  const first = await sendOnce(route, input);
  const outcome =
    first.ms > hangMs && !first.crashed
      ? { ...first, ms: Math.min(first.ms, (await sendOnce(route, input)).ms) }
      : first;
  tally.record(shown, outcome);
}

describe('inputs the fuzzer found', () => {
  // Found on PostgreSQL (a 32-bit `seq`): the query failed with "numeric out of range" → 500.
  it.each(['2474727887570927', String(2 ** 31)])(
    'an audit cursor past the sequence range (after=%s) is a 400, not a 500',
    async (after) => {
      const answer = await call({ url }, 'GET', `/v1/audit?after=${after}`, tokens.carol);
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    },
  );
});

describe('fuzzing every broker route (live process)', () => {
  it('the route list covers the contract and the ops routes', () => {
    const served = routes.map((r) => `${r.method} ${r.url}`);
    for (const entry of Object.values(brokerContract))
      expect(served).toContain(`${entry.method} ${entry.path}`);
    expect(served).toEqual(expect.arrayContaining(['GET /healthz', 'GET /readyz', 'GET /metrics']));
  });

  it(
    'every route: 0 crashes, 0 hangs over 1 s, 0 5xx, 0 echoes of a token or secret',
    async () => {
      const failures: string[] = [];
      for (const [i, route] of routes.entries()) {
        const tally = new FuzzTally(`broker ${route.method} ${route.url}`);
        await runGenerated(inputFor(route), PER_ROUTE, 1000 * (i + 1), (input) =>
          send(route, input, tally),
        );
        if (child.exitCode !== null) tally.record('(after the run)', { ms: 0, crashed: true });
        failures.push(tally.report());
      }
      // Unknown paths too, same rules.
      const stray = new FuzzTally('broker unknown paths');
      await runGenerated(
        fc.record({
          method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
          input: inputFor({ method: 'POST', url: '/v1/:x/:y' }),
          raw: fc
            .string({ unit: 'binary', maxLength: 60 })
            .map((s) => s.replace(/[^\w/.~-]/g, (c) => percentEncode(c))),
        }),
        PER_ROUTE,
        7,
        ({ method, input, raw }) => send({ method }, { ...input, path: `/${raw}` }, stray),
      );
      failures.push(stray.report());
      const logged = new FuzzTally('broker log (stdout, stderr)');
      for (const line of log.split('\n'))
        if (line.includes(CANARY)) logged.recordLogEcho(`the broker log: ${line.slice(0, 400)}`);
      failures.push(logged.report());
      expect(failures.filter(Boolean).join('\n\n')).toBe('');
    },
    PER_ROUTE > 1000 ? 24 * 3600_000 : 120_000,
  );
});
