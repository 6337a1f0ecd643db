/**
 * The local API: HTTP over a unix socket (`<dataDir>/agent.sock`, mode 0600 in a 0700 directory),
 * `POST /v1/<method>` with the contract's input, answering the Result as JSON. Never crashes on input.
 */
import { chmodSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { dirname } from 'node:path';
import type { AgentHandlers, AgentMethod, Result } from '../protocol/index.ts';
import { agentContract, fail, httpStatusFor, isAgentMethod } from '../protocol/index.ts';
import { ensurePrivateDir } from './grant-store.ts';
import { isAgentRunning } from './local-api.client.ts';

const MAX_BODY = 64 * 1024;

/** A listening local API server. */
export interface LocalApiServer {
  socketPath: string;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  let size = 0;
  const chunks: Buffer[] = [];
  // Drained to the end even past the limit, so the client reads the refusal instead of a broken pipe.
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY) chunks.push(chunk as Buffer);
  }
  return size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8');
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
  try {
    return await handler(input.data);
  } catch {
    // An exception is a bug; answer a value without its text (it could carry a secret).
    return fail('internal', `The agent failed while handling ${method}; see the agent's output`);
  }
}

/** Serves `handlers` on `socketPath`; refuses when another agent already serves it. */
export async function startLocalApiServer(
  handlers: AgentHandlers,
  socketPath: string,
): Promise<Result<LocalApiServer>> {
  ensurePrivateDir(dirname(socketPath));
  if (await isAgentRunning(socketPath))
    return fail('conflict', `An agent is already running at ${socketPath}`);
  rmSync(socketPath, { force: true });
  const server: Server = createServer((req, res) => {
    void (async () => {
      const match = /^\/v1\/([A-Za-z]+)$/.exec(req.url ?? '');
      const name = match?.[1] ?? '';
      const raw = await readBody(req).catch(() => null);
      let result: Result<unknown>;
      if (req.method !== 'POST' || !isAgentMethod(name)) {
        result = fail('not_found', `No such agent method: ${name.slice(0, 40) || '(none)'}`);
      } else if (raw === null) {
        result = fail('bad_request', 'The request body is too large');
      } else {
        result = await dispatch(handlers, name, raw);
      }
      res.writeHead(result.ok ? 200 : httpStatusFor(result.error.code), {
        'content-type': 'application/json',
      });
      res.end(JSON.stringify(result));
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  chmodSync(socketPath, 0o600);
  return {
    ok: true,
    value: {
      socketPath,
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
          rmSync(socketPath, { force: true });
        }),
    },
  };
}
