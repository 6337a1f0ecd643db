/** Threats against console sessions: a stolen or planted cookie, a reused bootstrap link, an expired session, DNS rebinding, a leaky push stream. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { aNotice, aSnapshot } from '../../renderer/test-fixtures.ts';
import type { ConsoleServer } from './console-server.ts';
import { canary, startTestConsole, ttlMs, until } from './console-test-client.ts';

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
const openStream: Client['openStream'] = (headers) => c.openStream(headers);
const bootstrapOf = (url: string) => c.bootstrapOf(url);
const exchange = (bootstrap: string, origin?: string) => c.exchange(bootstrap, origin);
const newSession = () => c.newSession();
const apiPost = (path: string, body = '{}', extra: Record<string, string> = {}, token = session) =>
  c.apiPost(path, token, body, extra);

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
    expect(Date.parse(granted.expiresAt)).toBe(c.clock.nowMs + ttlMs);
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
    const before = c.calls.length;
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
    expect(c.calls.length).toBe(before);
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
    c.clock.nowMs += ttlMs / 2;
    const newer = await newSession();
    expect((await apiPost('/api/getStatus', '{}', {}, older)).status).toBe(200);
    c.clock.nowMs += ttlMs / 2;
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
    c.publish({ type: 'notice', notice: { ...aNotice(), secret: canary } });
    c.publish({
      type: 'snapshot',
      snapshot: { ...aSnapshot({ version: 7 }), refreshToken: canary },
    });
    c.publish({ type: 'snapshot', snapshot: { version: 'broken' } });
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
    c.clock.nowMs += ttlMs + 1;
    await stream.ended;
    session = await newSession();
  });
});
