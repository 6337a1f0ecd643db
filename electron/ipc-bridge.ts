/** Main-process side of the renderer API: one `ipcMain.handle` per renderer method, and pushes. */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { agentPushSchema, rendererMethods, type RendererApi } from '../protocol/agent-api.ts';
import { fail, ok } from '../protocol/result.ts';
import {
  settingsChangeSchema,
  type AppSettings,
  type SettingsChange,
} from '../renderer/settings.logic.ts';
import type { KeychainHealth } from '../renderer/keychain-health.logic.ts';
import { callRendererMethod, parseRendererInput } from '../agent/console/renderer-call.ts';
import {
  ipcChannel,
  isTrustedSender,
  pushChannel,
  appChannel,
  appMethods,
} from './ipc-channels.ts';
import { originOf } from './navigation-guards.ts';

/** The part of `ipcMain` the bridge uses (injected, so the wiring is testable without Electron). */
export type IpcHandleRegistry = Pick<IpcMain, 'handle' | 'removeHandler'>;

/** Registers the bridge; returns the channels it handles and a function that removes them. */
export function registerIpcBridge(
  ipcMain: IpcHandleRegistry,
  api: RendererApi,
  appOrigin: string,
): { channels: string[]; dispose: () => void } {
  const channels: string[] = [];
  for (const method of rendererMethods) {
    const channel = ipcChannel(method);
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, input: unknown) => {
      // A frame we did not load (iframe, navigated-away page) must not reach the agent.
      if (!isTrustedSender(event.senderFrame, appOrigin)) {
        return fail('forbidden', 'This window may not call the Hourglass agent.');
      }
      const parsed = parseRendererInput(method, input);
      return parsed.ok ? callRendererMethod(api, method, parsed.value) : parsed;
    });
    channels.push(channel);
  }
  return { channels, dispose: () => channels.forEach((c) => ipcMain.removeHandler(c)) };
}

/** The part of a window's webContents a push needs. */
export interface PushTarget {
  isDestroyed(): boolean;
  getURL(): string;
  send(channel: string, message: unknown): void;
}

/**
 * Sends one push to a window, parsed with the contract (a field it does not name never
 * crosses), and only while the window still shows the app's own origin.
 */
export function pushToRenderer(target: PushTarget, push: unknown, appOrigin: string): boolean {
  if (target.isDestroyed() || originOf(target.getURL()) !== originOf(appOrigin)) return false;
  const parsed = agentPushSchema.safeParse(push);
  if (!parsed.success) return false;
  target.send(pushChannel, parsed.data);
  return true;
}

/** Main's side of the app methods: settings, and the keychain health. */
export interface SettingsBridgePort {
  read(): AppSettings;
  /** Applies a parsed change (persist, launch-at-login, tray); answers the new settings. */
  apply(change: SettingsChange): AppSettings;
  /** The latest keychain probe (null before the first). */
  keychainHealth(): KeychainHealth | null;
}

/**
 * Registers the app channels (settings, keychain health) with the same sender check as the agent bridge; the change
 * is parsed with its schema (unknown keys and `lastRequests` refused). Returns the remover.
 */
export function registerSettingsBridge(
  ipcMain: IpcHandleRegistry,
  port: SettingsBridgePort,
  appOrigin: string,
): { channels: string[]; dispose: () => void } {
  const guard = (event: IpcMainInvokeEvent) => isTrustedSender(event.senderFrame, appOrigin);
  const refused = () => fail('forbidden', 'This window may not change Hourglass settings.');
  ipcMain.handle(appChannel('getSettings'), (event: IpcMainInvokeEvent) =>
    guard(event) ? ok(port.read()) : refused(),
  );
  ipcMain.handle(appChannel('updateSettings'), (event: IpcMainInvokeEvent, input: unknown) => {
    if (!guard(event)) return refused();
    const change = settingsChangeSchema.safeParse(input);
    if (!change.success)
      return fail('bad_request', 'Settings change not understood; reload the window.');
    return ok(port.apply(change.data));
  });
  ipcMain.handle(appChannel('getKeychainHealth'), (event: IpcMainInvokeEvent) =>
    guard(event) ? ok(port.keychainHealth()) : refused(),
  );
  const channels = appMethods.map(appChannel);
  return { channels, dispose: () => channels.forEach((c) => ipcMain.removeHandler(c)) };
}
