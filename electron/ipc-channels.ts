/** IPC channel names and the sender check shared by preload and main. Pure. */
import { rendererMethods, type RendererMethod } from '../protocol/agent-api.ts';
import { originOf } from './navigation-guards.ts';

/** Channel of one renderer method. */
export function ipcChannel(method: RendererMethod): `hourglass:${RendererMethod}` {
  return `hourglass:${method}`;
}

/** Every channel the bridge serves: one per renderer method, nothing else. */
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
