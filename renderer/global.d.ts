/** `window.hourglass`: the only way the renderer reaches the agent. */
import type { HourglassHost } from './host-api.ts';

declare global {
  interface Window {
    hourglass?: HourglassHost;
  }
}
