/** Test client for the console server: raw HTTP (any Host, any header), the SSE stream, sessions. */
import { request, type IncomingMessage } from 'node:http';
import {
  rendererMethods,
  type AgentHandlers,
  type AgentPush,
  type RendererApi,
  type RendererMethod,
} from '../../protocol/agent-api.ts';
import { ok } from '../../protocol/result.ts';
import { aLocalGrant, aStatus, fakeRendererApi, t0 } from '../../renderer/test-fixtures.ts';
import { startConsoleServer, type ConsoleServer } from './console-server.ts';

/** A secret that must never appear in an answer. */
export const canary = 'CANARY-secret-4f1d9a';
/** Session lifetime of the test console. */
export const ttlMs = 60_000;

/** One answer as received. */
export interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

type Init = { method?: string; headers?: Record<string, string>; body?: string };

/** A console on an injected clock with a push source the test publishes to, and its clients. */
export async function startTestConsole(staticDir: string) {
  const calls: string[] = [];
  /** Every renderer method the console reached, in order (a refused call must add none). */
  const reached: string[] = [];
  const clock = { nowMs: t0 };
  const listeners = new Set<(push: AgentPush) => void>();
  /** A renderer API plus the secret method a console must never reach. */
  const api: RendererApi & Pick<AgentHandlers, 'exportGrant'> = {
    ...recording(
      reached,
      fakeRendererApi({
        getStatus: () => {
          calls.push('getStatus');
          // The extra field stands for a secret leaked by mistake: the contract parse must strip it.
          return Promise.resolve(ok({ ...aStatus(), refreshToken: canary }));
        },
        requestGrant: () => {
          calls.push('requestGrant');
          return Promise.resolve(ok({ grant: aLocalGrant() }));
        },
      }),
    ),
    exportGrant: () => {
      calls.push('exportGrant');
      return Promise.resolve(ok({ script: `export TOKEN=${canary}`, expiresAt: aStatus().now }));
    },
  };
  const server: ConsoleServer = await startConsoleServer({
    api,
    staticDir,
    clock: () => clock.nowMs,
    sessionTtlMs: ttlMs,
    heartbeatMs: 20,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
  const port = new URL(server.origin).port;
  const host = `127.0.0.1:${port}`;

  const send = (path: string, init: Init = {}): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: init.method ?? 'GET',
          headers: { host, ...init.headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString(),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(init.body);
    });

  /** Opens the event stream; `text()` is what arrived so far, `ended` resolves when it ends. */
  const openStream = (headers: Record<string, string>) => {
    let text = '';
    let status = 0;
    let done: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => (done = resolve));
    const req = request(
      { host: '127.0.0.1', port, path: '/api/events', headers: { host, ...headers } },
      (res) => {
        status = res.statusCode ?? 0;
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', done);
      },
    );
    req.on('error', done);
    req.end();
    return { text: () => text, status: () => status, ended, close: () => req.destroy() };
  };

  const bootstrapOf = (url: string) =>
    new URLSearchParams(new URL(url).hash.slice(1)).get('token') ?? '';
  const exchange = (bootstrap: string, origin = server.origin) =>
    send('/api/session', {
      method: 'POST',
      body: JSON.stringify({ bootstrap }),
      headers: { origin, 'content-type': 'application/json' },
    });
  const newSession = async (): Promise<string> => {
    const answer = await exchange(bootstrapOf(server.newUrl()));
    return (JSON.parse(answer.body) as { session: string }).session;
  };
  const apiPost = (path: string, token: string, body = '{}', extra: Record<string, string> = {}) =>
    send(path, {
      method: 'POST',
      body,
      headers: {
        'x-hourglass-session': token,
        origin: server.origin,
        'content-type': 'application/json',
        ...extra,
      },
    });
  return {
    server,
    calls,
    reached,
    clock,
    publish: (push: unknown) => listeners.forEach((l) => l(push as AgentPush)),
    send,
    openStream,
    bootstrapOf,
    exchange,
    newSession,
    apiPost,
  };
}

/** `api` with every method recording its name in `reached` before it answers. */
function recording(reached: string[], api: RendererApi): RendererApi {
  const wrapped: Partial<Record<RendererMethod, unknown>> = {};
  for (const method of rendererMethods) {
    const handler = api[method] as (input: unknown) => Promise<unknown>;
    wrapped[method] = (input: unknown) => {
      reached.push(method);
      return handler(input);
    };
  }
  return wrapped as RendererApi;
}

/** Waits until `check()` holds, polling with a deadline. */
export async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
