/** The one typed IPC channel map shared by preload and main, and the sender check. Pure. */
import type { AgentPush, RendererMethod } from '../protocol/agent-api.ts';
import { rendererMethods } from '../protocol/agent-api.ts';
import { originOf } from './navigation-guards.ts';

/** Channel of one renderer method (renderer → main, invoke/handle). */
export function ipcChannel(method: RendererMethod): `hourglass:${RendererMethod}` {
  return `hourglass:${method}`;
}

/**
 * The desktop app's own methods the window may call (Electron only; the console has none):
 * settings, and the keychain health behind the banner.
 */
export const appMethods = ['getSettings', 'updateSettings', 'getKeychainHealth'] as const;
/** One app method. */
export type AppMethod = (typeof appMethods)[number];

/** Channel of one app method (renderer → main, invoke/handle). */
export function appChannel(method: AppMethod): `hourglass-app:${AppMethod}` {
  return `hourglass-app:${method}`;
}

/** Channel on which main pushes AgentPush messages to the renderer (main → renderer, send/on). */
export const pushChannel = 'hourglass:push';

/**
 * Every IPC channel and what travels on it: one invoke channel per renderer method, one push
 * channel. Nothing else is registered or listened to.
 */
export type IpcChannelMap = {
  [M in RendererMethod as `hourglass:${M}`]: { direction: 'invoke'; method: M };
} & {
  [M in AppMethod as `hourglass-app:${M}`]: { direction: 'invoke'; method: M };
} & { [pushChannel]: { direction: 'push'; message: AgentPush } };

/** Every invoke channel the bridge serves: one per renderer method, nothing else. */
export const ipcChannels: readonly string[] = rendererMethods.map(ipcChannel);

/** The parts of `event.senderFrame` the check needs. */
export interface SenderFrameLike {
  url: string;
  parent: unknown;
}

/**
 * Is the IPC message from the app's own main frame? Parses the frame URL and compares the exact
 * origin; an iframe, a navigated-away window or a missing frame is refused.
 */
export function isTrustedSender(
  frame: SenderFrameLike | null | undefined,
  appOrigin: string,
): boolean {
  if (!frame || frame.parent !== null) return false;
  const origin = originOf(frame.url);
  return origin !== null && origin === originOf(appOrigin);
}
