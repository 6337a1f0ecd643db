/** Builds the object the preload exposes as `window.hourglass`. Pure: the invoke port is injected. */
import { rendererMethods, type RendererApi } from '../protocol/agent-api.ts';
import { ipcChannel } from './ipc-channels.ts';

/** Sends one message on a channel and resolves with main's answer. */
export type InvokePort = (channel: string, input: unknown) => Promise<unknown>;

/** Exactly one function per renderer method, each forwarding one argument to its channel. */
export function buildPreloadApi(invoke: InvokePort): RendererApi {
  const api: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const method of rendererMethods) {
    api[method] = (input: unknown) => invoke(ipcChannel(method), input);
  }
  return Object.freeze(api) as unknown as RendererApi;
}
