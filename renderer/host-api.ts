/** What a host (Electron preload or the console bridge) installs as `window.hourglass`. */
import type { AgentPush, RendererApi } from '../protocol/agent-api.ts';
import type { AgentLink } from './console-link.logic.ts';
import type { KeychainHealth } from './keychain-health.logic.ts';
import type { Result } from '../protocol/result.ts';
import type { SettingsHost } from './settings-store.ts';

/** What only the desktop app offers: settings and the keychain health behind the banner. */
export type AppHost = SettingsHost & {
  getKeychainHealth(): Promise<Result<KeychainHealth | null>>;
};

/** Receives one message the agent pushed (snapshot or notice). */
export type PushListener = (push: AgentPush) => void;

/**
 * One function per renderer method, plus the agent's push subscription; the desktop app adds the
 * settings methods (the console has none).
 */
export type HourglassHost = RendererApi &
  Partial<AppHost> & {
    /** Subscribes to the agent's pushes; answers the function that unsubscribes. */
    onPush(listener: PushListener): () => void;
    /**
     * The console only: whether its event stream still reaches the agent (`disconnected` once it
     * failed and reconnects failed, or the session is gone). Answers the unsubscribe.
     */
    onLink?(listener: (link: AgentLink) => void): () => void;
  };
