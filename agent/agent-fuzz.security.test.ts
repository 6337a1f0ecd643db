/**
 * Threat: malformed input from another process of the user (the local API on the unix socket) or
 * from a browser tab (the console) that crashes or hangs the agent, answers a 5xx, or comes back
 * with a secret: a canary planted in the inputs, or the grant credentials the agent holds
 * (SECURITY.md requirements 17 and 27).
 *
 * A real headless agent (`hourglass agent`, signed in as alice against the demo IdP and a live
 * broker) gets, on every method of `agentContract` plus the watch stream and unknown paths, inputs
 * generated from the contract (valid, then broken) and raw malformed text. A console served over
 * that agent (as `demo/start.ts` wires it) gets the same on every `/api/<method>` with a valid
 * session. Per route: 0 crashes (the agent process or socket gone), 0 requests over 1 s, 0 5xx, no
 * error answer holding the canary, and the canary nowhere in the agent's stderr. 40 inputs a route
 * here; 100,000 in the long run (`npm run security -- --long`).
 */
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentContract, rendererMethods } from '../protocol/agent-api.ts';
import type { AgentMethod } from '../protocol/agent-api.ts';
import {
  CANARY,
  FuzzTally,
  fuzzBody,
  fuzzCount,
  hangMs,
  percentEncode,
  runGenerated,
} from '../protocol/fuzz.test-support.ts';
import { startConsoleServer, type ConsoleServer } from './console/console-server.ts';
import {
  SHORT_ROLES,
  requestShort,
  signIn,
  startDeadlineHarness,
  type AgentProcess,
  type DeadlineHarness,
} from './deadline-harness.ts';

const PER_ROUTE = fuzzCount(40, 100_000);

let h: DeadlineHarness;
let agent: AgentProcess;
let consoleServer: ConsoleServer;
let session = '';
let socketPath = '';
/** The credential the agent holds: no console answer and no error may carry it. */
let heldSecret = '';

/** One raw HTTP exchange (unix socket or TCP), timed; never throws. */
function exchange(
  target: { socketPath: string } | { host: string; port: number },
  method: string,
  path: string,
  body: string | undefined,
  headers: Record<string, string>,
): Promise<{ status: number; text: string; ms: number; error?: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request({ ...target, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      // A stream (the watch, the console's events) answers with its headers; the rest is not read.
      if (/x-ndjson|event-stream/.test(res.headers['content-type'] ?? '')) {
        res.destroy();
        return resolve({ status: res.statusCode ?? 0, text: '', ms: performance.now() - started });
      }
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString(),
          ms: performance.now() - started,
        }),
      );
      res.on('error', (e) =>
        resolve({ status: 0, text: '', ms: performance.now() - started, error: e.message }),
      );
    });
    req.setTimeout(hangMs * 5, () => req.destroy(new Error('timeout')));
    req.on('error', (e) =>
      resolve({ status: 0, text: '', ms: performance.now() - started, error: e.message }),
    );
    req.end(body);
  });
}

beforeAll(async () => {
  h = await startDeadlineHarness();
  agent = await h.spawnAgent();
  socketPath = join(h.dataDir, 'agent.sock');
  await signIn(agent.handlers, 'alice');
  // A grant with a credential on the device: a leak of it would show in the answers.
  await requestShort(agent.handlers, SHORT_ROLES[0], 600);
  const exported = await agent.handlers.exportGrant({ role: SHORT_ROLES[0], shell: 'json' });
  if (!exported.ok) throw new Error(exported.error.message);
  heldSecret = /"HOURGLASS_TOKEN":\s*"([^"]{20,})"/.exec(exported.value.script)?.[1] ?? '';
  if (heldSecret === '')
    throw new Error(`no token in the export: ${exported.value.script.length} chars`);
  const staticDir = mkdtempSync(join(tmpdir(), 'hg-console-fuzz-'));
  mkdirSync(staticDir, { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><p>renderer</p>');
  consoleServer = await startConsoleServer({ api: agent.handlers, staticDir });
  const bootstrap = new URLSearchParams(new URL(consoleServer.url).hash.slice(1)).get('token');
  const { port } = new URL(consoleServer.origin);
  const answer = await exchange(
    { host: '127.0.0.1', port: Number(port) },
    'POST',
    '/api/session',
    JSON.stringify({ bootstrap }),
    {
      host: `127.0.0.1:${port}`,
      origin: consoleServer.origin,
      'content-type': 'application/json',
    },
  );
  session = (JSON.parse(answer.text) as { session: string }).session;
}, 120_000);

afterAll(async () => {
  await consoleServer?.close();
  await h?.close();
});

/** Answers the failure text of one route's tally (empty when clean). */
async function fuzzRoute(
  name: string,
  seed: number,
  arbitrary: fc.Arbitrary<{ body: string; path: string }>,
  send: (input: { body: string; path: string }) => ReturnType<typeof exchange>,
  secretMayAnswer = false,
): Promise<string> {
  const tally = new FuzzTally(name);
  await runGenerated(
    arbitrary,
    PER_ROUTE,
    seed,
    async (input) => {
      const first = await send(input);
      // Slow once is the machine; slow twice is the input (see broker-fuzz.security.test.ts).
      const answer =
        first.ms > hangMs && first.error === undefined
          ? { ...first, ms: Math.min(first.ms, (await send(input)).ms) }
          : first;
      tally.record(`${input.path} ${input.body}`, {
        ms: answer.ms,
        status: answer.status,
        crashed: answer.error !== undefined && answer.error !== 'timeout',
        echoed:
          (answer.status >= 400 && answer.text.includes(CANARY)) ||
          ((answer.status >= 400 || !secretMayAnswer) && answer.text.includes(heldSecret)),
      });
    },
    // One at a time: a request's time is its own, not a queue behind the fuzzer's other requests
    // (the local API serves one user).
    1,
  );
  return tally.report();
}

/**
 * Bodies for `method`: the contract's, except that a login never opens a browser here and a
 * sign-out does not end the session the other inputs need (both are refused inputs otherwise).
 */
function bodiesFor(method: AgentMethod): fc.Arbitrary<string> {
  return fuzzBody(agentContract[method].input).map((body) =>
    body.replace(/"openBrowser":true/g, '"openBrowser":false'),
  );
}

// `logout` ends the session every other method needs; it is fuzzed last.
const agentMethods = (Object.keys(agentContract) as AgentMethod[]).sort(
  (a, b) => Number(a === 'logout') - Number(b === 'logout'),
);

describe('fuzzing the agent local API and the console (real agent process)', () => {
  it(
    'every route: 0 crashes, 0 hangs over 1 s, 0 5xx, 0 echoes of a secret',
    async () => {
      const failures: string[] = [];
      const { port } = new URL(consoleServer.origin);
      const tcp = { host: '127.0.0.1', port: Number(port) };
      const consoleHeaders = {
        host: `127.0.0.1:${port}`,
        origin: consoleServer.origin,
        'x-hourglass-session': session,
        'content-type': 'application/json',
      };
      for (const [i, method] of rendererMethods.filter((m) => m !== 'logout').entries())
        failures.push(
          await fuzzRoute(
            `console POST /api/${method}`,
            500 + i,
            fc.record({ body: bodiesFor(method), path: fc.constant(`/api/${method}`) }),
            (input) => exchange(tcp, 'POST', input.path, input.body, consoleHeaders),
          ),
        );
      failures.push(
        await fuzzRoute(
          'console unknown paths',
          499,
          fc.record({
            body: fuzzBody(null),
            path: fc.string({ unit: 'binary', maxLength: 40 }).map((s) => `/${percentEncode(s)}`),
          }),
          (input) => exchange(tcp, 'POST', input.path, input.body, consoleHeaders),
        ),
      );
      for (const [i, method] of agentMethods.entries())
        failures.push(
          await fuzzRoute(
            `agent POST /v1/${method}`,
            100 + i,
            fc.record({ body: bodiesFor(method), path: fc.constant(`/v1/${method}`) }),
            (input) =>
              exchange({ socketPath }, 'POST', input.path, input.body, {
                'content-type': 'application/json',
              }),
            // Only exportGrant hands the credential out, and only on the user's own socket.
            method === 'exportGrant',
          ),
        );
      failures.push(
        await fuzzRoute(
          'agent GET /v1/watch and unknown paths',
          99,
          fc.record({
            body: fc.constant(''),
            path: fc.oneof(
              fc.constant('/v1/watch'),
              fc.string({ unit: 'binary', maxLength: 40 }).map((s) => `/v1/${percentEncode(s)}`),
            ),
          }),
          (input) => exchange({ socketPath }, 'GET', input.path, undefined, {}),
        ),
      );
      const logged = new FuzzTally('agent stderr');
      for (const line of agent.stderr().split('\n'))
        if (line.includes(CANARY))
          logged.recordLogEcho(`the agent's stderr: ${line.slice(0, 300)}`);
      failures.push(logged.report());
      expect(failures.filter(Boolean).join('\n\n')).toBe('');
    },
    PER_ROUTE > 1000 ? 24 * 3600_000 : 180_000,
  );
});
