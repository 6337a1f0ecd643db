/**
 * The agent the app talks to: the one already running for the profile (e.g. started by the CLI),
 * reached over its socket, or one started in this process when none runs. When the agent it
 * attached to goes away, the app starts its own and carries on.
 */
import type { AgentConfig } from '../agent/config.ts';
import { startAgent, type RunningAgent } from '../agent/host.ts';
import { createLocalApiClient, isAgentRunning, watchAgent } from '../agent/local-api.client.ts';
import type { AgentHandlers, AgentMethod, AgentPush } from '../protocol/index.ts';
import { agentContract } from '../protocol/index.ts';
import { appLog } from './app-log.ts';

/** A link to an agent: its handlers, its pushes, and how to let go of it. */
export interface AgentLink {
  /** `own`: started here; `attached`: another process's agent over its socket. */
  mode(): 'own' | 'attached';
  /** Stable: calls go to whichever agent is current. */
  handlers: AgentHandlers;
  /** One listener (main's); pushes keep coming across a takeover. */
  subscribe(listener: (push: AgentPush) => void): () => void;
  close(): Promise<void>;
}

const RESUBSCRIBE_MS = 1000;

/** Handlers that forward every method to `current()`. */
function forwarding(current: () => AgentHandlers): AgentHandlers {
  const methods = Object.keys(agentContract) as AgentMethod[];
  return Object.fromEntries(
    methods.map((m) => [m, (input: never) => (current()[m] as (i: never) => unknown)(input)]),
  ) as unknown as AgentHandlers;
}

/** Attaches to the profile's running agent, else starts one (and attaches if another won the race). */
export async function linkAgent(config: AgentConfig): Promise<AgentLink> {
  let own: RunningAgent | null = null;
  let attached: AgentHandlers | null = null;
  let listener: ((push: AgentPush) => void) | null = null;
  let stopWatch: () => void = () => undefined;
  let closed = false;

  const startOwn = async (): Promise<boolean> => {
    try {
      own = await startAgent(config, { host: 'app' });
    } catch (error) {
      if (await isAgentRunning(config.socketPath)) return false;
      throw error;
    }
    attached = null;
    if (listener) stopWatch = own.subscribe(listener);
    return true;
  };
  const follow = () => {
    if (!listener) return;
    const watch = watchAgent(config.socketPath, listener);
    stopWatch = () => watch.close();
    void watch.ended.then(async () => {
      if (closed || own) return;
      // The attached agent went away (its CLI was stopped): take over, or re-attach.
      if (!(await isAgentRunning(config.socketPath)) && (await startOwn().catch(() => false))) {
        appLog('the attached agent exited; agent started in the app');
        return;
      }
      setTimeout(() => !closed && !own && follow(), RESUBSCRIBE_MS);
    });
  };

  if (await isAgentRunning(config.socketPath)) attached = createLocalApiClient(config.socketPath);
  else if (!(await startOwn())) attached = createLocalApiClient(config.socketPath);
  const current = () => own?.handlers ?? attached ?? createLocalApiClient(config.socketPath);
  return {
    mode: () => (own ? 'own' : 'attached'),
    handlers: forwarding(current),
    subscribe(next) {
      listener = next;
      if (own) stopWatch = own.subscribe(next);
      else follow();
      return () => {
        listener = null;
        stopWatch();
      };
    },
    async close() {
      closed = true;
      stopWatch();
      await own?.close();
    },
  };
}
