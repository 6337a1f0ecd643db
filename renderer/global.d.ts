/** `window.hourglass`: the only way the renderer reaches the agent. */
import type { RendererApi } from '../protocol/agent-api.ts';

declare global {
  interface Window {
    hourglass?: RendererApi;
  }
}
