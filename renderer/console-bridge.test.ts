/** The console bridge against the real console server: one-time link, session header, pushes. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentPush } from '../protocol/agent-api.ts';
import { fail, ok } from '../protocol/result.ts';
import { startConsoleServer, type ConsoleServer } from '../agent/console/console-server.ts';
import { createConsoleBridge, installConsoleBridge, type FetchPort } from './console-bridge.ts';
import type { PagePort } from './console-session.ts';
import { aSnapshot, aStatus, fakeRendererApi } from './test-fixtures.ts';

const api = fakeRendererApi({
  beginLogin: () => Promise.resolve(fail('login_in_progress', 'A sign-in is already running.')),
  logout: () => Promise.resolve(ok({ wiped: 2, grantsEnded: 0, endSessionUrl: null })),
});
const listeners = new Set<(push: AgentPush) => void>();

let dir: string;
let server: ConsoleServer;
let browserFetch: FetchPort;

/** A tab opened at `hash`: records whether the fragment was dropped; storage shared when given. */
function page(hash: string, storage = new Map<string, string>()) {
  const tab = { hash, dropped: false };
  const port: PagePort = {
    hash: () => tab.hash,
    dropFragment: () => {
      tab.hash = '';
      tab.dropped = true;
    },
    storage: {
      getItem: (k) => storage.get(k) ?? null,
      setItem: (k, v) => void storage.set(k, v),
      removeItem: (k) => void storage.delete(k),
    },
    now: () => Date.now(),
  };
  return { tab, port, storage };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hg-bridge-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html>');
  server = await startConsoleServer({
    api,
    staticDir: dir,
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  });
  // What a browser on the console page sends: same origin, no cookie.
  browserFetch = (path, init) =>
    fetch(`${server.origin}${path}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), origin: server.origin },
    });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const hashOf = (url: string) => new URL(url).hash;

/** Polls `done` until it holds, failing after a deadline (no timed assertion). */
async function waitUntil(done: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('console bridge', () => {
  it('trades the fragment token once, drops it from the URL and answers with the agent Results', async () => {
    const { tab, port } = page(hashOf(server.newUrl()));
    const bridge = createConsoleBridge(browserFetch, port);
    expect(await bridge.getStatus({})).toEqual({ ok: true, value: aStatus() });
    expect(tab.dropped).toBe(true);
    expect(await bridge.logout({})).toEqual({
      ok: true,
      value: { wiped: 2, grantsEnded: 0, endSessionUrl: null },
    });
    expect(await bridge.beginLogin({ openBrowser: false })).toEqual({
      ok: false,
      error: { code: 'login_in_progress', message: 'A sign-in is already running.' },
    });
  });

  it('a reload keeps the tab session; a reused link in a new tab has none', async () => {
    const url = server.newUrl();
    const first = page(hashOf(url));
    expect((await createConsoleBridge(browserFetch, first.port).getStatus({})).ok).toBe(true);
    const reloaded = page('', first.storage);
    expect((await createConsoleBridge(browserFetch, reloaded.port).getStatus({})).ok).toBe(true);
    const other = page(hashOf(url));
    expect(await createConsoleBridge(browserFetch, other.port).getStatus({})).toMatchObject({
      ok: false,
      error: { code: 'unauthenticated' },
    });
  });

  it('delivers pushed snapshots through onPush, parsed with the contract', async () => {
    const bridge = createConsoleBridge(browserFetch, page(hashOf(server.newUrl())).port);
    const received: AgentPush[] = [];
    const stop = bridge.onPush((push) => received.push(push));
    const deadline = Date.now() + 3000;
    while (received.length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    listeners.forEach((l) => l({ type: 'snapshot', snapshot: aSnapshot({ version: 5 }) }));
    while (received.length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    stop();
    expect(received[0]).toMatchObject({ type: 'snapshot' });
    expect(received[1]).toEqual({ type: 'snapshot', snapshot: aSnapshot({ version: 5 }) });
  });

  it('turns an unreachable agent and an off-contract answer into failure values', async () => {
    const { port } = page('');
    port.storage?.setItem(
      'hourglass.console.session',
      JSON.stringify({ session: 'A'.repeat(43), expiresAt: '2999-01-01T00:00:00.000Z' }),
    );
    const down = createConsoleBridge(() => Promise.reject(new TypeError('fetch failed')), port);
    expect(await down.getStatus({})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    const odd = createConsoleBridge(
      () => Promise.resolve(new Response(JSON.stringify({ ok: true, value: { token: 'x' } }))),
      port,
    );
    expect(await odd.getStatus({})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('keeps a host-provided window.hourglass', () => {
    const host = { ...api, onPush: () => () => undefined };
    expect(installConsoleBridge({ hourglass: host })).toBe(host);
  });

  it('threat: a tab of a stopped console keeps looking live — its link goes disconnected once the stream ends and reconnects fail', async () => {
    const stopped = await startConsoleServer({
      api,
      staticDir: dir,
      subscribe: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    });
    const fetchStopped: FetchPort = (path, init) =>
      fetch(`${stopped.origin}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), origin: stopped.origin },
      });
    const { port } = page(hashOf(stopped.newUrl()));
    const bridge = createConsoleBridge(fetchStopped, port, { retryBaseMs: 1 });
    const links: string[] = [];
    const pushes: AgentPush[] = [];
    const stopLink = bridge.onLink?.((link) => links.push(link));
    const stop = bridge.onPush((push) => pushes.push(push));
    // Live: the agent's pushes arrive through the stream.
    await waitUntil(() => {
      listeners.forEach((l) => l({ type: 'snapshot', snapshot: aSnapshot() }));
      return pushes.length > 0;
    });
    expect(links).toEqual([]);
    await stopped.close();
    await waitUntil(() => links.length > 0);
    expect(links).toEqual(['disconnected']);
    stop();
    stopLink?.();
  });
});
