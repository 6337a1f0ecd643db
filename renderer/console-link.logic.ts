/**
 * Whether the console tab still reaches its agent. Pure: the bridge feeds it what its event stream
 * did. A stream that fails and does not come back, or a session the console no longer knows (its
 * agent or console stopped, or restarted with new sessions), leaves the tab disconnected: what it
 * shows is no longer live, so it must say so instead of counting down a stopped agent's grants.
 */

/** What the window shows about its link to the agent. */
export type AgentLink = 'live' | 'disconnected';

/** The link and the failures in a row since the stream last opened. */
export interface LinkState {
  link: AgentLink;
  failures: number;
}

/** Failed (re)connects in a row after which the tab says it is disconnected. */
export const failuresBeforeDisconnected = 3;

/** What the event stream did. `refused`: the console answered 401 (the session is gone). */
export type StreamEvent = 'opened' | 'failed' | 'refused';

/** The link before the stream first opened: live until shown otherwise. */
export const initialLink: LinkState = { link: 'live', failures: 0 };

/** The next link state after `event`. */
export function linkAfter(state: LinkState, event: StreamEvent): LinkState {
  switch (event) {
    case 'opened':
      return { link: 'live', failures: 0 };
    case 'refused':
      return { link: 'disconnected', failures: state.failures + 1 };
    case 'failed': {
      const failures = state.failures + 1;
      return {
        link: failures >= failuresBeforeDisconnected ? 'disconnected' : state.link,
        failures,
      };
    }
  }
}

/** What a disconnected console tab tells its user. */
export const disconnectedMessage =
  'Disconnected: this console lost its agent (stopped, or restarted). What it showed is no longer live. Run `hourglass console` for a fresh URL.';
