/** The IPC surface: key sets match the contract, forged senders and bad arguments are refused. */
import { describe, expect, it } from 'vitest';
import { rendererMethods, type RendererApi } from '../protocol/agent-api.ts';
import { ok } from '../protocol/result.ts';
import { aSnapshot, fakeRendererApi } from '../renderer/test-fixtures.ts';
import {
  pushToRenderer,
  registerIpcBridge,
  registerSettingsBridge,
  type IpcHandleRegistry,
} from './ipc-bridge.ts';
import { ipcChannels, pushChannel, appChannel, appMethods } from './ipc-channels.ts';
import { appSettingsSchema } from '../renderer/settings.logic.ts';
import { buildPreloadApi } from './preload-api.ts';

const appOrigin = 'app://hourglass';
const resolved = <T>(v: T) => Promise.resolve(ok(v));
const received: unknown[] = [];

const api: RendererApi = fakeRendererApi({
  beginLogin: (input) => {
    received.push(input);
    return resolved({
      loginId: 'l1',
      authorizationUrl: 'https://idp.example.com/auth',
      codeVerifier: 'LEAK',
    });
  },
  requestGrant: (input) => {
    received.push(input);
    return Promise.reject(new Error('never called in these tests'));
  },
});

type Listener = (event: unknown, input: unknown) => Promise<unknown>;

function register() {
  const handlers = new Map<string, Listener>();
  const registry = {
    handle: (channel: string, listener: Listener) => handlers.set(channel, listener),
    removeHandler: (channel: string) => handlers.delete(channel),
  } as unknown as IpcHandleRegistry;
  const bridge = registerIpcBridge(registry, api, appOrigin);
  return { handlers, bridge };
}

const mainFrame = { senderFrame: { url: 'app://hourglass/index.html', parent: null } };

describe('IPC key sets', () => {
  it('contract keys == handler keys == preload keys (+ onPush) == bridge channels', () => {
    const channelsUsed: string[] = [];
    const preload = buildPreloadApi(
      (channel) => {
        channelsUsed.push(channel);
        return Promise.resolve(null);
      },
      () => () => undefined,
    );
    expect(Object.keys(preload).sort()).toEqual(
      [...rendererMethods, ...appMethods, 'onPush'].sort(),
    );
    expect(Object.keys(api).sort()).toEqual([...rendererMethods].sort());
    for (const method of [...rendererMethods, ...appMethods])
      void (preload[method] as (i: unknown) => Promise<unknown>)({});
    const { handlers, bridge } = register();
    registerSettingsBridge(
      {
        handle: (channel: string, listener: Listener) => handlers.set(channel, listener),
        removeHandler: (channel: string) => handlers.delete(channel),
      } as unknown as IpcHandleRegistry,
      {
        read: () => appSettingsSchema.parse({}),
        apply: () => appSettingsSchema.parse({}),
        keychainHealth: () => null,
      },
      appOrigin,
    );
    expect([...handlers.keys()].sort()).toEqual([...channelsUsed].sort());
    expect(bridge.channels.sort()).toEqual([...ipcChannels].sort());
    expect([...handlers.keys()].filter((c) => c.startsWith('hourglass-app:')).sort()).toEqual(
      appMethods.map(appChannel).sort(),
    );
    expect([...handlers.keys()]).not.toContain('hourglass:exportGrant');
  });

  it('dispose removes every handler', () => {
    const { handlers, bridge } = register();
    bridge.dispose();
    expect(handlers.size).toBe(0);
  });
});

describe('IPC sender checks', () => {
  it.each([
    ['an iframe', { senderFrame: { url: 'app://hourglass/index.html', parent: {} } }],
    ['another origin', { senderFrame: { url: 'https://evil.test/', parent: null } }],
    [
      'a look-alike origin',
      { senderFrame: { url: 'app://hourglass.evil/index.html', parent: null } },
    ],
    ['a file: page', { senderFrame: { url: 'file:///tmp/x.html', parent: null } }],
    ['a destroyed frame', { senderFrame: null }],
    ['a garbage URL', { senderFrame: { url: 'not a url', parent: null } }],
  ])('refuses %s', async (_name, event) => {
    const { handlers } = register();
    const before = received.length;
    const answer = await handlers.get('hourglass:beginLogin')!(event, { openBrowser: true });
    expect(answer).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(received.length).toBe(before);
  });

  it('serves the main frame and strips fields the contract does not name', async () => {
    const { handlers } = register();
    const answer = await handlers.get('hourglass:beginLogin')!(mainFrame, { openBrowser: true });
    expect(answer).toEqual({
      ok: true,
      value: { loginId: 'l1', authorizationUrl: 'https://idp.example.com/auth' },
    });
  });

  it.each([
    [undefined],
    [null],
    ['x'],
    [{ role: 'A B', durationSeconds: 1, reason: '' }],
    [{ role: 'r', durationSeconds: 0, reason: '' }],
    [{ role: 'r', durationSeconds: 60, reason: '', extra: 1 }],
  ])('refuses requestGrant(%j) before it reaches the agent', async (input) => {
    const { handlers } = register();
    const before = received.length;
    const answer = await handlers.get('hourglass:requestGrant')!(mainFrame, input);
    expect(answer).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(received.length).toBe(before);
  });

  it('turns a thrown handler into an internal failure without its message', async () => {
    const { handlers } = register();
    const answer = await handlers.get('hourglass:requestGrant')!(mainFrame, {
      role: 'r',
      durationSeconds: 60,
      reason: 'x',
    });
    expect(answer).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(answer)).not.toContain('never called');
  });
});

describe('IPC pushes', () => {
  const target = (url: string, destroyed = false) => {
    const sent: [string, unknown][] = [];
    return {
      sent,
      isDestroyed: () => destroyed,
      getURL: () => url,
      send: (channel: string, message: unknown) => void sent.push([channel, message]),
    };
  };

  it('sends a contract-parsed push on the push channel; extra fields never cross', () => {
    const win = target('app://hourglass/index.html');
    const push = { type: 'snapshot', snapshot: { ...aSnapshot(), refreshToken: 'LEAK' } };
    expect(pushToRenderer(win, push, appOrigin)).toBe(true);
    expect(win.sent).toEqual([[pushChannel, { type: 'snapshot', snapshot: aSnapshot() }]]);
  });

  it.each([
    ['a window that navigated away', target('https://evil.test/')],
    ['a destroyed window', target('app://hourglass/index.html', true)],
  ])('sends nothing to %s', (_name, win) => {
    expect(pushToRenderer(win, { type: 'snapshot', snapshot: aSnapshot() }, appOrigin)).toBe(false);
    expect(win.sent).toEqual([]);
  });

  it('preload onPush delivers only contract-shaped pushes and unsubscribes', () => {
    let deliver: (m: unknown) => void = () => undefined;
    let listening = false;
    const preload = buildPreloadApi(
      () => Promise.resolve(null),
      (channel, listener) => {
        expect(channel).toBe(pushChannel);
        deliver = listener;
        listening = true;
        return () => (listening = false);
      },
    );
    const got: unknown[] = [];
    const stop = preload.onPush((p) => got.push(p));
    deliver({ type: 'snapshot', snapshot: { version: 'x' } });
    deliver({ type: 'snapshot', snapshot: aSnapshot() });
    expect(got).toEqual([{ type: 'snapshot', snapshot: aSnapshot() }]);
    stop();
    expect(listening).toBe(false);
  });
});
