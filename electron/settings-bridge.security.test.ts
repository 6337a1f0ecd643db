/** The settings channels: forged senders and bad payloads change nothing. */
import { describe, expect, it } from 'vitest';
import {
  appSettingsSchema,
  type AppSettings,
  type SettingsChange,
} from '../renderer/settings.logic.ts';
import { registerSettingsBridge, type IpcHandleRegistry } from './ipc-bridge.ts';
import { appChannel } from './ipc-channels.ts';

type Listener = (event: unknown, input?: unknown) => unknown;

function setup() {
  const handlers = new Map<string, Listener>();
  let saved: AppSettings = appSettingsSchema.parse({});
  const applied: SettingsChange[] = [];
  registerSettingsBridge(
    {
      handle: (channel: string, listener: Listener) => handlers.set(channel, listener),
      removeHandler: (channel: string) => handlers.delete(channel),
    } as unknown as IpcHandleRegistry,
    {
      read: () => saved,
      keychainHealth: () => ({ status: 'fail', detail: 'the keyring is locked', fix: 'unlock it' }),
      apply(change) {
        applied.push(change);
        saved = appSettingsSchema.parse({ ...saved, ...change });
        return saved;
      },
    },
    'app://hourglass',
  );
  const call = (method: 'getSettings' | 'updateSettings', frame: unknown, input?: unknown) =>
    handlers.get(appChannel(method))?.({ senderFrame: frame }, input);
  return { call, applied };
}

const main = { url: 'app://hourglass/index.html', parent: null };

describe('settings bridge', () => {
  it.each([
    ['another origin', { url: 'https://evil.example/', parent: null }],
    ['a subframe', { url: 'app://hourglass/index.html', parent: {} }],
    ['no frame', null],
    ['a file: page', { url: 'file:///tmp/x.html', parent: null }],
  ])('refuses %s', (_name, frame) => {
    const { call, applied } = setup();
    expect(call('getSettings', frame)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(call('updateSettings', frame, { wipeOnLock: true })).toMatchObject({ ok: false });
    expect(applied).toEqual([]);
  });

  it.each([
    ['lastRequests', { lastRequests: { db: { durationSeconds: 1, reason: 'x' } } }],
    ['an unknown key', { evil: true }],
    ['a wrong type', { wipeOnLock: 'yes' }],
    ['a shell that is not one', { defaultShell: 'sh -c id' }],
    ['marks out of range', { warnBeforeSeconds: [0] }],
    ['no object', 'wipeOnLock'],
  ])('refuses %s', (_name, input) => {
    const { call, applied } = setup();
    expect(call('updateSettings', main, input)).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    expect(applied).toEqual([]);
  });

  it('reads and applies a parsed change from the app window', () => {
    const { call, applied } = setup();
    expect(
      call('updateSettings', main, { wipeOnLock: true, warnBeforeSeconds: [300] }),
    ).toMatchObject({
      ok: true,
      value: { wipeOnLock: true, warnBeforeSeconds: [300] },
    });
    expect(applied).toEqual([{ wipeOnLock: true, warnBeforeSeconds: [300] }]);
    expect(call('getSettings', main)).toMatchObject({ ok: true, value: { wipeOnLock: true } });
  });
});
