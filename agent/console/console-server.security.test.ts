/** Threats against the local console: stolen/absent token, DNS rebinding, CSRF, secret methods, traversal. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentHandlers, RendererApi } from '../../protocol/agent-api.ts';
import { ok } from '../../protocol/result.ts';
import { rendererCsp } from '../../build/csp.ts';
import { startConsoleServer, type ConsoleServer } from './console-server.ts';

const canary = 'CANARY-secret-4f1d9a';
const now = '2030-01-01T00:00:00.000Z';
const calls: string[] = [];
const resolved = <T>(value: T) => Promise.resolve(ok(value));

const grant = {
  id: 'g1',
  role: 'prod-api-readonly',
  subject: 'alice',
  provider: 'jwt' as const,
  status: 'active' as const,
  reason: 'r',
  ticket: null,
  requestedSeconds: 60,
  grantedSeconds: 60,
  createdAt: now,
  activatedAt: now,
  expiresAt: now,
  endedAt: null,
  requestExpiresAt: null,
  credentialStored: true,
};

/** A plain object implementing the renderer API, plus the secret method a console must never reach. */
const api: RendererApi & Pick<AgentHandlers, 'exportGrant'> = {
  getStatus: () => {
    calls.push('getStatus');
    // The extra field stands for a secret leaked by mistake: the contract parse must strip it.
    const status = {
      now,
      loggedIn: true,
      user: null,
      brokerUrl: 'b',
      issuer: 'i',
      demo: true,
      refreshToken: canary,
    };
    return resolved(status);
  },
  beginLogin: () => resolved({ loginId: 'l', authorizationUrl: 'https://idp.test/auth' }),
  awaitLogin: () => resolved({ user: { subject: 'alice', issuer: 'i', groups: [] } }),
  logout: () => resolved({ wiped: 0 }),
  listRoles: () => resolved({ now, roles: [] }),
  requestGrant: () => {
    calls.push('requestGrant');
    return resolved({ grant });
  },
  listGrants: () => resolved({ now, grants: [grant] }),
  exportGrant: () => {
    calls.push('exportGrant');
    return resolved({ script: `export TOKEN=${canary}`, expiresAt: now });
  },
};

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(
  server: ConsoleServer,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
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

let dir: string;
let server: ConsoleServer;
let cookie: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hg-console-'));
  mkdirSync(join(dir, 'static'));
  writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html><p>renderer</p>');
  writeFileSync(join(dir, 'outside-secret.txt'), canary);
  server = await startConsoleServer({ api, staticDir: join(dir, 'static') });
  const token = new URL(server.url).searchParams.get('token')!;
  const login = await send(server, `/?token=${token}`);
  cookie = String(login.headers['set-cookie']).split(';')[0]!;
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const apiPost = (path: string, body = '{}', extra: Record<string, string> = {}) =>
  send(server, path, {
    method: 'POST',
    body,
    headers: { cookie, origin: server.origin, 'content-type': 'application/json', ...extra },
  });

describe('console access', () => {
  it('binds to 127.0.0.1 with a 32-byte token in the URL', () => {
    const url = new URL(server.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(Buffer.from(url.searchParams.get('token')!, 'base64url')).toHaveLength(32);
  });

  it('sets an HttpOnly SameSite=Strict cookie for the right token and redirects to /', async () => {
    const token = new URL(server.url).searchParams.get('token')!;
    const answer = await send(server, `/?token=${token}`);
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/');
    const setCookie = String(answer.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toContain(token);
  });

  it.each([
    ['no token, no cookie', '/', {}],
    ['wrong token', '/?token=AAAA', {}],
    ['forged cookie', '/', { cookie: 'hourglass_console=forged' }],
  ])('refuses %s with 401', async (_name, path, headers) => {
    const answer = await send(server, path, { headers });
    expect(answer.status).toBe(401);
    expect(answer.body).not.toContain('renderer');
  });

  it('refuses API calls without the session cookie', async () => {
    const answer = await send(server, '/api/getStatus', {
      method: 'POST',
      body: '{}',
      headers: { origin: server.origin, 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({
      ok: false,
      error: { code: 'unauthenticated' },
    });
  });

  it.each(['evil.test', `localhost:${new URL('http://x').port}`, 'attacker.example:80'])(
    'refuses Host %s (DNS rebinding) with 421',
    async (host) => {
      const answer = await send(server, '/', { headers: { host, cookie } });
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
    'refuses a POST from Origin %s',
    async (origin) => {
      const headers: Record<string, string> = { cookie, 'content-type': 'application/json' };
      if (origin !== undefined) headers.origin = origin;
      const before = calls.length;
      const answer = await send(server, '/api/requestGrant', {
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

  it('refuses bodies over 64 KiB, non-JSON and other verbs', async () => {
    expect((await apiPost('/api/getStatus', 'x'.repeat(70 * 1024))).status).toBe(413);
    expect((await apiPost('/api/getStatus', '{not json')).status).toBe(400);
    expect((await apiPost('/api/getStatus', '{}', { 'content-type': 'text/plain' })).status).toBe(
      415,
    );
    expect((await send(server, '/api/getStatus', { headers: { cookie } })).status).toBe(405);
  });
});

describe('console static files', () => {
  it('serves index.html with the CSP and hardening headers', async () => {
    const answer = await send(server, '/', { headers: { cookie } });
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
    const answer = await send(server, path, { headers: { cookie } });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.body).not.toContain(canary);
  });
});
