/**
 * Threats against the local console: a stolen or planted cookie, a reused bootstrap link, an
 * expired session, DNS rebinding, CSRF, secret-bearing methods, traversal, a leaky push.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentHandlers, AgentPush, RendererApi } from '../../protocol/agent-api.ts';
import { ok } from '../../protocol/result.ts';
import { rendererCsp } from '../../build/csp.ts';
import {
  aLocalGrant,
  aNotice,
  aSnapshot,
  aStatus,
  fakeRendererApi,
  t0,
} from '../../renderer/test-fixtures.ts';
import { startConsoleServer, type ConsoleServer } from './console-server.ts';

const canary = 'CANARY-secret-4f1d9a';
const calls: string[] = [];
const ttlMs = 60_000;
let nowMs = t0;
const listeners = new Set<(push: AgentPush) => void>();
const publish = (push: unknown) => listeners.forEach((l) => l(push as AgentPush));

/** A renderer API plus the secret method a console must never reach. */
const api: RendererApi & Pick<AgentHandlers, 'exportGrant'> = {
  ...fakeRendererApi({
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
  exportGrant: () => {
    calls.push('exportGrant');
    return Promise.resolve(ok({ script: `export TOKEN=${canary}`, expiresAt: aStatus().now }));
  },
};

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

type Init = { method?: string; headers?: Record<string, string>; body?: string };

function send(path: string, init: Init = {}): Promise<Answer> {
  const { port } = new URL(server.origin);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: init.method ?? 'GET',
        headers: { host: `127.0.0.1:${port}`, ...init.headers },
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
}

/** Opens the event stream; `text()` is what arrived so far, `ended` resolves when the server ends it. */
function openStream(headers: Record<string, string>) {
  const { port } = new URL(server.origin);
  let text = '';
  let status = 0;
  let done: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (done = resolve));
  const req = request(
    {
      host: '127.0.0.1',
      port,
      path: '/api/events',
      headers: { host: `127.0.0.1:${port}`, ...headers },
    },
    (res) => {
      status = res.statusCode ?? 0;
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', done);
    },
  );
  req.on('error', done);
  req.end();
  return { text: () => text, status: () => status, ended, close: () => req.destroy() };
}

async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let dir: string;
let server: ConsoleServer;
let session: string;

const bootstrapOf = (url: string) => new URLSearchParams(new URL(url).hash.slice(1)).get('token')!;
const exchange = (bootstrap: string, origin = server.origin) =>
  send('/api/session', {
    method: 'POST',
    body: JSON.stringify({ bootstrap }),
    headers: { origin, 'content-type': 'application/json' },
  });
async function newSession(): Promise<string> {
  const answer = await exchange(bootstrapOf(server.newUrl()));
  return (JSON.parse(answer.body) as { session: string }).session;
}
const apiPost = (path: string, body = '{}', extra: Record<string, string> = {}, token = session) =>
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

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hg-console-'));
  mkdirSync(join(dir, 'static'));
  writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html><p>renderer</p>');
  writeFileSync(join(dir, 'outside-secret.txt'), canary);
  server = await startConsoleServer({
    api,
    staticDir: join(dir, 'static'),
    clock: () => nowMs,
    sessionTtlMs: ttlMs,
    heartbeatMs: 20,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
  session = await newSession();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('console sessions', () => {
  it('prints a 127.0.0.1 URL whose 32-byte bootstrap token is in the fragment, never the query', () => {
    const url = new URL(server.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.search).toBe('');
    expect(Buffer.from(bootstrapOf(server.url), 'base64url')).toHaveLength(32);
  });

  it('bootstrap reuse refused: a link works once, a second exchange is 401', async () => {
    const bootstrap = bootstrapOf(server.newUrl());
    const first = await exchange(bootstrap);
    expect(first.status).toBe(200);
    const granted = JSON.parse(first.body) as { session: string; expiresAt: string };
    expect(granted.session).not.toBe(bootstrap);
    expect(Date.parse(granted.expiresAt)).toBe(nowMs + ttlMs);
    const again = await exchange(bootstrap);
    expect(again.status).toBe(401);
    expect(again.body).not.toContain(granted.session);
  });

  it('a bootstrap exchange from another origin is refused and does not burn the link', async () => {
    const bootstrap = bootstrapOf(server.newUrl());
    expect((await exchange(bootstrap, 'http://127.0.0.1:1')).status).toBe(403);
    expect((await exchange(bootstrap)).status).toBe(200);
  });

  it('stolen cookie useless: no cookie is ever set, and a cookie alone opens nothing', async () => {
    const answers = [
      await exchange(bootstrapOf(server.newUrl())),
      await send('/'),
      await apiPost('/api/getStatus'),
    ];
    for (const answer of answers) expect(answer.headers['set-cookie']).toBeUndefined();
    const before = calls.length;
    const withCookie = await send('/api/getStatus', {
      method: 'POST',
      body: '{}',
      headers: {
        cookie: `hourglass_console=${session}`,
        origin: server.origin,
        'content-type': 'application/json',
      },
    });
    expect(withCookie.status).toBe(401);
    expect(JSON.parse(withCookie.body)).toMatchObject({
      ok: false,
      error: { code: 'unauthenticated' },
    });
    expect(calls.length).toBe(before);
  });

  it('a cookie planted by another loopback page cannot lock the user out', async () => {
    const answer = await apiPost('/api/getStatus', '{}', {
      cookie: 'hourglass_console=planted; x=1',
    });
    expect(answer.status).toBe(200);
  });

  it.each([
    ['a forged session', 'A'.repeat(43)],
    ['a bootstrap token used as a session', ''],
  ])('refuses %s', async (_name, token) => {
    const forged = token || bootstrapOf(server.newUrl());
    expect((await apiPost('/api/getStatus', '{}', {}, forged)).status).toBe(401);
  });

  it("each client has its own session; one client's expired session is refused, a newer one still works", async () => {
    const older = await newSession();
    nowMs += ttlMs / 2;
    const newer = await newSession();
    expect((await apiPost('/api/getStatus', '{}', {}, older)).status).toBe(200);
    nowMs += ttlMs / 2;
    expect((await apiPost('/api/getStatus', '{}', {}, older)).status).toBe(401);
    expect((await apiPost('/api/getStatus', '{}', {}, newer)).status).toBe(200);
    session = newer;
  });

  it.each(['evil.test', 'localhost', 'attacker.example:80'])(
    'refuses Host %s (DNS rebinding) with 421, even with a valid session',
    async (host) => {
      const answer = await send('/api/getStatus', {
        method: 'POST',
        body: '{}',
        headers: {
          host,
          'x-hourglass-session': session,
          origin: server.origin,
          'content-type': 'application/json',
        },
      });
      expect(answer.status).toBe(421);
    },
  );
});

describe('console API', () => {
  it('serves a renderer method with the contract applied to the answer', async () => {
    const answer = await apiPost('/api/getStatus');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      ok: true,
      value: { loggedIn: true, demo: true },
    });
    expect(answer.body).not.toContain(canary);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['content-security-policy']).toBe(rendererCsp);
  });

  it.each([['http://evil.test'], ['null'], [undefined]])(
    'refuses a POST from Origin %s (CSRF)',
    async (origin) => {
      const headers: Record<string, string> = {
        'x-hourglass-session': session,
        'content-type': 'application/json',
      };
      if (origin !== undefined) headers.origin = origin;
      const before = calls.length;
      const answer = await send('/api/requestGrant', {
        method: 'POST',
        headers,
        body: JSON.stringify({ role: 'prod-api-readonly', durationSeconds: 60, reason: 'x' }),
      });
      expect(answer.status).toBe(403);
      expect(calls.length).toBe(before);
    },
  );

  it.each(['exportGrant', 'constructor', '__proto__', 'toString', 'nope'])(
    'has no route for %s',
    async (method) => {
      const answer = await apiPost(
        `/api/${method}`,
        JSON.stringify({ role: 'prod-api-readonly', shell: 'bash' }),
      );
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.body)).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(answer.body).not.toContain(canary);
      expect(calls).not.toContain('exportGrant');
    },
  );

  it('parses input with the contract before calling the handler', async () => {
    const before = calls.length;
    const answer = await apiPost(
      '/api/requestGrant',
      JSON.stringify({ role: '../etc', durationSeconds: -1, reason: 'x' }),
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(calls.length).toBe(before);
  });

  it('refuses bodies over 64 KiB, non-JSON, text/plain and other verbs', async () => {
    expect((await apiPost('/api/getStatus', `{"a":"${'x'.repeat(70 * 1024)}"}`)).status).toBe(413);
    expect((await apiPost('/api/getStatus', '{not json')).status).toBe(400);
    expect((await apiPost('/api/getStatus', '{}', { 'content-type': 'text/plain' })).status).toBe(
      415,
    );
    const get = await send('/api/getStatus', { headers: { 'x-hourglass-session': session } });
    expect(get.status).toBe(405);
  });
});

describe('console event stream', () => {
  it('refuses a stream without a live session', async () => {
    const stream = openStream({ cookie: `hourglass_console=${session}` });
    await stream.ended;
    expect(stream.status()).toBe(401);
  });

  it('sends the current snapshot, then pushes; fields off the contract never leave', async () => {
    const stream = openStream({ 'x-hourglass-session': session });
    await until(() => stream.text().includes('"type":"snapshot"'), 'the first snapshot');
    expect(stream.status()).toBe(200);
    publish({ type: 'notice', notice: { ...aNotice(), secret: canary } });
    publish({ type: 'snapshot', snapshot: { ...aSnapshot({ version: 7 }), refreshToken: canary } });
    publish({ type: 'snapshot', snapshot: { version: 'broken' } });
    await until(() => stream.text().includes('"version":7'), 'the pushed snapshot');
    expect(stream.text()).toContain('event: push');
    expect(stream.text()).toContain('"type":"notice"');
    expect(stream.text()).not.toContain(canary);
    expect(stream.text()).not.toContain('broken');
    stream.close();
  });

  it('ends the stream once its session expires', async () => {
    const own = await newSession();
    const stream = openStream({ 'x-hourglass-session': own });
    await until(() => stream.text().includes(':ready'), 'the stream to open');
    nowMs += ttlMs + 1;
    await stream.ended;
    session = await newSession();
  });
});

describe('console static files', () => {
  it('serves the page shell (no secret in it) with the CSP and hardening headers', async () => {
    const answer = await send('/');
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('renderer');
    expect(answer.headers['content-security-policy']).toBe(rendererCsp);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
  });

  it.each([
    '/../outside-secret.txt',
    '/%2e%2e/outside-secret.txt',
    '/..%2foutside-secret.txt',
    '/..%5coutside-secret.txt',
    '/%2e%2e%2foutside-secret.txt',
    '/static/..%2f..%2foutside-secret.txt',
    '/index.html%00.txt',
  ])('refuses traversal %s', async (path) => {
    const answer = await send(path);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.body).not.toContain(canary);
  });
});
