/** What a host (Electron preload or the console bridge) installs as `window.hourglass`. */
import type { AgentPush, RendererApi } from '../protocol/agent-api.ts';
import type { SettingsHost } from './settings-store.ts';

/** Receives one message the agent pushed (snapshot or notice). */
export type PushListener = (push: AgentPush) => void;

/**
 * One function per renderer method, plus the agent's push subscription; the desktop app adds the
 * settings methods (the console has none).
 */
export type HourglassHost = RendererApi &
  Partial<SettingsHost> & {
    /** Subscribes to the agent's pushes; answers the function that unsubscribes. */
    onPush(listener: PushListener): () => void;
  };
