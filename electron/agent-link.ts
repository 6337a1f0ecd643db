/**
 * The agent the app talks to: the one already running for the profile (e.g. started by the CLI),
 * reached over its socket, or one started in this process when none runs.
 */
import type { AgentConfig } from '../agent/config.ts';
import { startAgent } from '../agent/host.ts';
import { createLocalApiClient, isAgentRunning, watchAgent } from '../agent/local-api.client.ts';
import type { AgentHandlers, AgentPush } from '../protocol/index.ts';

/** A link to an agent: its handlers, its pushes, and how to let go of it. */
export interface AgentLink {
  /** `own`: started here; `attached`: another process's agent over its socket. */
  mode: 'own' | 'attached';
  handlers: AgentHandlers;
  subscribe(listener: (push: AgentPush) => void): () => void;
  close(): Promise<void>;
}

const RESUBSCRIBE_MS = 1000;

/** Follows an agent over its socket; a dropped stream is re-opened until unsubscribed. */
function attach(socketPath: string): AgentLink {
  const subscribe = (listener: (push: AgentPush) => void) => {
    let closed = false;
    let current = watchAgent(socketPath, listener);
    let timer: NodeJS.Timeout | undefined;
    const follow = (watch: typeof current) => {
      void watch.ended.then(() => {
        if (closed) return;
        timer = setTimeout(() => {
          current = watchAgent(socketPath, listener);
          follow(current);
        }, RESUBSCRIBE_MS);
      });
    };
    follow(current);
    return () => {
      closed = true;
      clearTimeout(timer);
      current.close();
    };
  };
  return {
    mode: 'attached',
    handlers: createLocalApiClient(socketPath),
    subscribe,
    close: () => Promise.resolve(),
  };
}

/** Attaches to the profile's running agent, else starts one (and attaches if another won the race). */
export async function linkAgent(config: AgentConfig): Promise<AgentLink> {
  if (await isAgentRunning(config.socketPath)) return attach(config.socketPath);
  try {
    const agent = await startAgent(config);
    return { mode: 'own', ...agent };
  } catch (error) {
    if (await isAgentRunning(config.socketPath)) return attach(config.socketPath);
    throw error;
  }
}
