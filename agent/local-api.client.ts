/** The local API client: one function per agent method over the unix socket, outputs parsed. */
import { request } from 'node:http';
import { createConnection } from 'node:net';
import type { AgentHandlers, AgentMethod, AgentPush, Result } from '../protocol/index.ts';
import { agentContract, agentPushSchema, fail, resultSchema } from '../protocol/index.ts';

function post(
  socketPath: string,
  method: string,
  body: string,
): Promise<{ status: 'ok'; text: string } | { status: 'down' }> {
  return new Promise((resolve) => {
    const req = request(
      {
        socketPath,
        path: `/v1/${method}`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: 'ok', text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', () => resolve({ status: 'down' }));
      },
    );
    req.on('error', () => resolve({ status: 'down' }));
    req.end(body);
  });
}

async function call<M extends AgentMethod>(
  socketPath: string,
  method: M,
  input: unknown,
): Promise<Result<never>> {
  const answer = await post(socketPath, method, JSON.stringify(input));
  if (answer.status === 'down')
    return fail(
      'unavailable',
      `No Hourglass agent answers at ${socketPath}; run \`hourglass agent\``,
    );
  let json: unknown;
  try {
    json = JSON.parse(answer.text);
  } catch {
    return fail('internal', `The agent answered ${method} with something that is not JSON`);
  }
  const parsed = resultSchema(agentContract[method].output).safeParse(json);
  if (!parsed.success)
    return fail(
      'internal',
      `The agent answered ${method} in an unexpected shape; is it the same version?`,
    );
  return parsed.data as Result<never>;
}

/** A client for the agent at `socketPath`, typed as the handlers themselves. */
export function createLocalApiClient(socketPath: string): AgentHandlers {
  const methods = Object.keys(agentContract) as AgentMethod[];
  return Object.fromEntries(
    methods.map((m) => [m, (input: unknown) => call(socketPath, m, input)]),
  ) as unknown as AgentHandlers;
}

/** Whether an agent accepts connections at `socketPath`. */
export function isAgentRunning(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** An open push subscription. */
export interface AgentWatch {
  /** Settles when the stream ends: `true` if it was open, `false` if no agent answered. */
  ended: Promise<boolean>;
  close(): void;
}

/**
 * Subscribes to the agent's pushes (`GET /v1/watch`, one JSON `AgentPush` per line): the current
 * snapshot first, then every change. Lines that do not parse with the contract are skipped.
 */
export function watchAgent(socketPath: string, onPush: (push: AgentPush) => void): AgentWatch {
  let close = () => {};
  const ended = new Promise<boolean>((resolve) => {
    const req = request({ socketPath, path: '/v1/watch', method: 'GET' }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        resolve(false);
        return;
      }
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let newline = buffer.indexOf('\n');
        while (newline !== -1) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf('\n');
          try {
            const parsed = agentPushSchema.safeParse(JSON.parse(line));
            if (parsed.success) onPush(parsed.data);
          } catch {
            // Not JSON: skipped, like a line that does not match the contract.
          }
        }
      });
      res.on('end', () => resolve(true));
      res.on('close', () => resolve(true));
      res.on('error', () => resolve(true));
    });
    req.on('error', () => resolve(false));
    close = () => req.destroy();
    req.end();
  });
  return { ended, close: () => close() };
}
