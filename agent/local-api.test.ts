import { mkdtempSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentHandlers, AgentPush } from '../protocol/index.ts';
import { fail, ok } from '../protocol/index.ts';
import { createLocalApiClient, watchAgent } from './local-api.client.ts';
import type { LocalApiServer } from './local-api.server.ts';
import { startLocalApiServer } from './local-api.server.ts';
import { localGrantFixture, snapshotFixture } from './test-support.ts';

// Small real handlers: the server and client are under test here, not the agent's logic.
const handlers: AgentHandlers = {
  getStatus: () =>
    Promise.resolve(
      ok({
        now: new Date().toISOString(),
        loggedIn: false,
        user: null,
        brokerUrl: 'b',
        issuer: 'i',
        demo: true,
        profile: 'default',
      }),
    ),
  beginLogin: () => Promise.resolve(fail('login_in_progress', 'busy')),
  awaitLogin: () => Promise.resolve(fail('not_found', 'none')),
  logout: () => Promise.resolve(ok({ wiped: 0, grantsEnded: 0, endSessionUrl: null })),
  listRoles: () => Promise.reject(new Error('boom canary-secret-3')),
  requestGrant: (input) => Promise.resolve(fail('policy_violation', `no ${input.role}`)),
  listGrants: () => Promise.resolve(ok({ now: new Date().toISOString(), grants: [] })),
  exportGrant: () => Promise.resolve(fail('grant_not_active', 'none')),
  newConsoleUrl: () => Promise.resolve(fail('unavailable', 'no console')),
  getSnapshot: () => Promise.resolve(ok(snapshotFixture([]))),
  // An answer with a field the contract does not name: it must not leave the agent.
  extendGrant: () =>
    Promise.resolve(ok({ grant: { ...localGrantFixture(), secret: 'canary-secret-7' } })),
  revokeGrant: () => Promise.resolve(fail('not_approver', 'not yours')),
  cancelGrant: () => Promise.resolve(fail('invalid_state', 'not pending')),
  listApprovals: () => Promise.resolve(ok({ now: new Date().toISOString(), approvals: [] })),
  approveGrant: () => Promise.resolve(fail('not_approver', 'own request')),
  denyGrant: () => Promise.resolve(fail('not_approver', 'own request')),
  recheck: () => Promise.resolve(ok({ wiped: 0 })),
  checkKeychain: () =>
    Promise.resolve(ok({ status: 'ok' as const, detail: 'reachable and unlocked' })),
};

// A tiny real push source: the test publishes, the server streams.
const listeners = new Set<(push: AgentPush) => void>();
const publish = (push: AgentPush) => listeners.forEach((l) => l(push));
const watchSource = (listener: (push: AgentPush) => void) => {
  listeners.add(listener);
  listener({ type: 'snapshot', snapshot: snapshotFixture([]) });
  return () => listeners.delete(listener);
};

function raw(
  socketPath: string,
  path: string,
  body: string,
  method = 'POST',
): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-length': Buffer.byteLength(body) };
    const req = request({ socketPath, path, method, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('local API over a unix socket', () => {
  let server: LocalApiServer;
  const dir = join(mkdtempSync(join(tmpdir(), 'hg-api-')), 'data');
  const socketPath = join(dir, 'agent.sock');

  beforeAll(async () => {
    const started = await startLocalApiServer(handlers, socketPath, watchSource);
    if (!started.ok) throw new Error(started.error.message);
    server = started.value;
  });
  afterAll(() => server.close());

  it('creates the socket 0600 in a 0700 directory', () => {
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('serves the contract through the typed client', async () => {
    const client = createLocalApiClient(socketPath);
    expect(await client.getStatus({})).toMatchObject({
      ok: true,
      value: { demo: true, loggedIn: false },
    });
    expect(await client.requestGrant({ role: 'x', durationSeconds: 60, reason: 'r' })).toEqual({
      ok: false,
      error: { code: 'policy_violation', message: 'no x' },
    });
  });

  it('answers unknown methods and malformed input with a Result error', async () => {
    expect(await raw(socketPath, '/v1/dropTables', '{}')).toMatchObject({
      status: 404,
      json: { ok: false, error: { code: 'not_found' } },
    });
    expect(await raw(socketPath, '/v1/getStatus', '{}', 'GET')).toMatchObject({
      json: { ok: false, error: { code: 'not_found' } },
    });
    expect(await raw(socketPath, '/v1/requestGrant', '{not json')).toMatchObject({
      status: 400,
      json: { ok: false, error: { code: 'bad_request' } },
    });
    const bad = await raw(
      socketPath,
      '/v1/requestGrant',
      JSON.stringify({ role: 'x', durationSeconds: -1, reason: 'r' }),
    );
    expect(bad).toMatchObject({ status: 400, json: { ok: false, error: { code: 'bad_request' } } });
    expect(bad.json.error.message).toContain('durationSeconds');
    const extra = await raw(socketPath, '/v1/getStatus', JSON.stringify({ evil: 1 }));
    expect(extra.json).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await raw(socketPath, '/v1/logout', 'x'.repeat(100_000))).toMatchObject({
      json: { ok: false, error: { code: 'bad_request' } },
    });
  });

  it('turns a handler exception into an internal error without its text', async () => {
    const answer = await raw(socketPath, '/v1/listRoles', '{}');
    expect(answer).toMatchObject({ status: 500, json: { ok: false, error: { code: 'internal' } } });
    expect(JSON.stringify(answer.json)).not.toContain('canary-secret-3');
  });

  it('refuses to start a second server on a live socket', async () => {
    expect(await startLocalApiServer(handlers, socketPath)).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
    expect(await createLocalApiClient(socketPath).logout({})).toEqual({
      ok: true,
      value: { wiped: 0, grantsEnded: 0, endSessionUrl: null },
    });
  });

  it('re-parses answers with the contract: unknown fields never leave the agent', async () => {
    const answer = await raw(
      socketPath,
      '/v1/extendGrant',
      JSON.stringify({ grantId: 'g1', durationSeconds: 60 }),
    );
    expect(answer).toMatchObject({
      status: 200,
      json: { ok: true, value: { grant: { id: 'g1' } } },
    });
    expect(JSON.stringify(answer.json)).not.toContain('canary-secret-7');
    expect(await createLocalApiClient(socketPath).revokeGrant({ grantId: 'g1' })).toEqual({
      ok: false,
      error: { code: 'not_approver', message: 'not yours' },
    });
  });

  it('streams pushes to a watcher until it hangs up', async () => {
    const seen: AgentPush[] = [];
    const watcher = watchAgent(socketPath, (push) => seen.push(push));
    const until = Date.now() + 5000;
    while (seen.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(seen[0]).toMatchObject({ type: 'snapshot', snapshot: { version: 1 } });
    const notice = {
      id: 'wiped:g1',
      kind: 'wiped' as const,
      grantId: 'g1',
      role: 'prod-api-readonly',
      title: 'wiped',
      body: 'gone',
      actions: [],
      at: new Date().toISOString(),
    };
    publish({ type: 'notice', notice });
    while (seen.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(seen[1]).toEqual({ type: 'notice', notice });
    watcher.close();
    expect(await watcher.ended).toBe(true);
    while (listeners.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(listeners.size).toBe(0);
  });

  it('reports a missing agent as unavailable', async () => {
    expect(await createLocalApiClient(join(dir, 'none.sock')).getStatus({})).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
  });
});
