/** Threats against the console API and static files: CSRF, secret-bearing methods, unparsed input, oversized bodies, path traversal. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rendererCsp } from '../../build/csp.ts';
import type { ConsoleServer } from './console-server.ts';
import { canary, startTestConsole } from './console-test-client.ts';

let dir: string;
type Client = Awaited<ReturnType<typeof startTestConsole>>;
let c: Client;
let server: ConsoleServer;
let session: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hg-console-'));
  mkdirSync(join(dir, 'static'));
  writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html><p>renderer</p>');
  writeFileSync(join(dir, 'outside-secret.txt'), canary);
  c = await startTestConsole(join(dir, 'static'));
  server = c.server;
  session = await c.newSession();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const send: Client['send'] = (path, init) => c.send(path, init);
const apiPost = (path: string, body = '{}', extra: Record<string, string> = {}, token = session) =>
  c.apiPost(path, token, body, extra);

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
      const before = c.calls.length;
      const answer = await send('/api/requestGrant', {
        method: 'POST',
        headers,
        body: JSON.stringify({ role: 'prod-api-readonly', durationSeconds: 60, reason: 'x' }),
      });
      expect(answer.status).toBe(403);
      expect(c.calls.length).toBe(before);
    },
  );

  // newConsoleUrl: a page holding a session (or script injected into it) mints no further links.
  it.each(['exportGrant', 'newConsoleUrl', 'constructor', '__proto__', 'toString', 'nope'])(
    'has no route for %s',
    async (method) => {
      const answer = await apiPost(
        `/api/${method}`,
        JSON.stringify({ role: 'prod-api-readonly', shell: 'bash' }),
      );
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.body)).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(answer.body).not.toContain(canary);
      expect(c.calls).not.toContain('exportGrant');
      expect(c.calls).not.toContain('newConsoleUrl');
    },
  );

  it('parses input with the contract before calling the handler', async () => {
    const before = c.calls.length;
    const answer = await apiPost(
      '/api/requestGrant',
      JSON.stringify({ role: '../etc', durationSeconds: -1, reason: 'x' }),
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(c.calls.length).toBe(before);
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
