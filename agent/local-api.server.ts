/**
 * The local API, served by Fastify on a unix socket (`<dataDir>/agent.sock`, mode 0600 in a 0700
 * directory):
 * - `POST /v1/<method>` with the contract's input as JSON, answering the Result as JSON;
 * - `GET /v1/watch`: newline-delimited JSON, one `AgentPush` per line (the current snapshot first,
 *   then every snapshot and notice as they happen) until the client hangs up.
 * Every input and answer is parsed with `agentContract`; it never crashes on input.
 */
import { chmodSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Fastify from 'fastify';
import type { FastifyReply } from 'fastify';
import type { AgentHandlers, AgentMethod, AgentPush, Result } from '../protocol/index.ts';
import {
  agentContract,
  agentPushSchema,
  fail,
  httpStatusFor,
  isAgentMethod,
  resultSchema,
} from '../protocol/index.ts';
import { ensurePrivateDir } from './grant-store.ts';
import { isAgentRunning } from './local-api.client.ts';

const MAX_BODY = 64 * 1024;

/** Path of the push stream. */
export const WATCH_PATH = '/v1/watch';

/** Subscribes to agent pushes; answers the unsubscribe function. */
export type WatchSource = (listener: (push: AgentPush) => void) => () => void;

/** A listening local API server. */
export interface LocalApiServer {
  socketPath: string;
  close(): Promise<void>;
}

async function dispatch(
  handlers: AgentHandlers,
  method: AgentMethod,
  raw: string,
): Promise<Result<unknown>> {
  let json: unknown;
  try {
    json = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch {
    return fail('bad_request', 'The request body is not valid JSON');
  }
  const input = agentContract[method].input.safeParse(json);
  if (!input.success) {
    const issue = input.error.issues[0];
    return fail(
      'bad_request',
      `Invalid input for ${method}: ${issue?.path.join('.') || '(body)'} ${issue?.message ?? ''}`.trim(),
    );
  }
  const handler = handlers[method] as (input: unknown) => Promise<Result<unknown>>;
  let result: Result<unknown>;
  try {
    result = await handler(input.data);
  } catch {
    // An exception is a bug; answer a value without its text (it could carry a secret).
    return fail('internal', `The agent failed while handling ${method}; see the agent's output`);
  }
  // Re-parsed on the way out: a field the contract does not name never leaves the agent.
  const out = resultSchema(agentContract[method].output).safeParse(result);
  return out.success
    ? out.data
    : fail('internal', `The agent built an invalid answer for ${method}; this is a bug`);
}

function send(reply: FastifyReply, result: Result<unknown>): FastifyReply {
  return reply
    .code(result.ok ? 200 : httpStatusFor(result.error.code))
    .type('application/json')
    .send(JSON.stringify(result));
}

function watch(reply: FastifyReply, source: WatchSource): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  const unsubscribe = source((push) => {
    const parsed = agentPushSchema.safeParse(push);
    if (parsed.success) res.write(`${JSON.stringify(parsed.data)}\n`);
  });
  res.on('close', unsubscribe);
}

/** Serves `handlers` (and the push stream of `watchSource`) on `socketPath`. */
export async function startLocalApiServer(
  handlers: AgentHandlers,
  socketPath: string,
  watchSource?: WatchSource,
): Promise<Result<LocalApiServer>> {
  ensurePrivateDir(dirname(socketPath));
  if (await isAgentRunning(socketPath))
    return fail('conflict', `An agent is already running at ${socketPath}`);
  rmSync(socketPath, { force: true });
  const app = Fastify({ logger: false, bodyLimit: MAX_BODY, forceCloseConnections: true });
  // Bodies are parsed here with the contract, whatever the content type says.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.setErrorHandler((error, _req, reply) => {
    const tooLarge = (error as { statusCode?: number }).statusCode === 413;
    return send(
      reply,
      fail('bad_request', tooLarge ? 'The request body is too large' : 'The request is malformed'),
    );
  });
  app.setNotFoundHandler((req, reply) => {
    const name = /^\/v1\/([A-Za-z]*)/.exec(req.url)?.[1] ?? '';
    return send(reply, fail('not_found', `No such agent method: ${name.slice(0, 40) || '(none)'}`));
  });
  app.post<{ Params: { method: string } }>('/v1/:method', async (req, reply) => {
    const name = req.params.method;
    if (!isAgentMethod(name))
      return send(reply, fail('not_found', `No such agent method: ${name.slice(0, 40)}`));
    const raw = typeof req.body === 'string' ? req.body : '';
    return send(reply, await dispatch(handlers, name, raw));
  });
  app.get(WATCH_PATH, (_req, reply) => {
    if (!watchSource) return send(reply, fail('not_found', 'This agent does not push'));
    watch(reply, watchSource);
    return reply;
  });
  try {
    await app.listen({ path: socketPath });
  } catch {
    return fail('unavailable', `The agent cannot listen on ${socketPath}`);
  }
  chmodSync(socketPath, 0o600);
  return {
    ok: true,
    value: {
      socketPath,
      close: async () => {
        await app.close();
        rmSync(socketPath, { force: true });
      },
    },
  };
}
