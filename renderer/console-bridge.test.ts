/** The console bridge against the real console server: contract-parsed answers, transport failures as values. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RendererApi } from '../protocol/agent-api.ts';
import { fail, ok } from '../protocol/result.ts';
import { startConsoleServer, type ConsoleServer } from '../agent/console/console-server.ts';
import { createConsoleBridge, installConsoleBridge, type FetchPort } from './console-bridge.ts';

const now = '2030-01-01T00:00:00.000Z';
const api: RendererApi = {
  getStatus: () =>
    Promise.resolve(
      ok({ now, loggedIn: false, user: null, brokerUrl: 'b', issuer: 'i', demo: true }),
    ),
  beginLogin: () => Promise.resolve(fail('login_in_progress', 'A sign-in is already running.')),
  awaitLogin: () => Promise.resolve(fail('login_failed', 'no')),
  logout: () => Promise.resolve(ok({ wiped: 2 })),
  listRoles: () => Promise.resolve(ok({ now, roles: [] })),
  requestGrant: () => Promise.resolve(fail('not_logged_in', 'Sign in first.')),
  listGrants: () => Promise.resolve(ok({ now, grants: [] })),
};

let dir: string;
let server: ConsoleServer;
let browserFetch: FetchPort;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hg-bridge-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html>');
  server = await startConsoleServer({ api, staticDir: dir });
  const login = await fetch(server.url, { redirect: 'manual' });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  // What a browser on the console page would send: same origin, session cookie.
  browserFetch = (path, init) =>
    fetch(`${server.origin}${path}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), cookie, origin: server.origin },
    });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('console bridge', () => {
  it('answers with the agent Results, successes and failures alike', async () => {
    const bridge = createConsoleBridge(browserFetch);
    expect(await bridge.getStatus({})).toEqual({
      ok: true,
      value: { now, loggedIn: false, user: null, brokerUrl: 'b', issuer: 'i', demo: true },
    });
    expect(await bridge.logout({})).toEqual({ ok: true, value: { wiped: 2 } });
    expect(await bridge.beginLogin({ openBrowser: false })).toEqual({
      ok: false,
      error: { code: 'login_in_progress', message: 'A sign-in is already running.' },
    });
  });

  it('turns a refused session into a failure value', async () => {
    const bridge = createConsoleBridge((path, init) => fetch(`${server.origin}${path}`, init));
    expect(await bridge.listGrants({})).toMatchObject({
      ok: false,
      error: { code: 'unauthenticated' },
    });
  });

  it('turns an unreachable agent and an off-contract answer into failure values', async () => {
    const down = createConsoleBridge(() => Promise.reject(new TypeError('fetch failed')));
    expect(await down.getStatus({})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    const odd = createConsoleBridge(() =>
      Promise.resolve(new Response(JSON.stringify({ ok: true, value: { token: 'x' } }))),
    );
    expect(await odd.getStatus({})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('keeps a host-provided window.hourglass', () => {
    const target = { hourglass: api };
    expect(installConsoleBridge(target)).toBe(api);
    const empty: { hourglass?: RendererApi } = {};
    expect(Object.keys(installConsoleBridge(empty)).sort()).toEqual(Object.keys(api).sort());
  });
});
