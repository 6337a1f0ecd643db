/** Builds the object the preload exposes as `window.hourglass`. Pure: the IPC ports are injected. */
import { agentPushSchema, rendererMethods, type RendererApi } from '../protocol/agent-api.ts';
import type { HourglassHost, PushListener } from '../renderer/host-api.ts';
import type { AppHost } from '../renderer/host-api.ts';
import {
  ipcChannel,
  pushChannel,
  appChannel,
  appMethods,
  type IpcChannelMap,
} from './ipc-channels.ts';

/** Sends one message on a channel and resolves with main's answer. */
export type InvokePort = (
  channel: Exclude<keyof IpcChannelMap, typeof pushChannel>,
  input: unknown,
) => Promise<unknown>;

/** Listens on a channel; answers the function that stops listening. */
export type ListenPort = (
  channel: typeof pushChannel,
  listener: (message: unknown) => void,
) => () => void;

/**
 * Exactly one function per renderer method, `onPush`, and the app methods (settings, keychain
 * health), each bound to
 * its one channel.
 */
export function buildPreloadApi(invoke: InvokePort, listen: ListenPort): HourglassHost {
  const api: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const method of rendererMethods) {
    api[method] = (input: unknown) => invoke(ipcChannel(method), input);
  }
  const onPush = (listener: PushListener) =>
    listen(pushChannel, (message) => {
      const parsed = agentPushSchema.safeParse(message);
      if (parsed.success) listener(parsed.data);
    });
  const settings: Record<string, (input?: unknown) => Promise<unknown>> = {};
  for (const method of appMethods) {
    settings[method] = (input?: unknown) => invoke(appChannel(method), input ?? {});
  }
  return Object.freeze({
    ...(api as unknown as RendererApi),
    ...(settings as unknown as Required<AppHost>),
    onPush,
  });
}
