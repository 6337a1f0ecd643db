/**
 * The live link to the broker for the signed-in profile: one event stream while signed in, its
 * state in the snapshot, a resync and the queued wipe receipts on every (re)connect.
 */
import type { BrokerEventStream } from './broker-events.ts';
import { startBrokerEventStream } from './broker-events.ts';
import type { GrantDeps } from './grant-deps.ts';
import { applyBrokerEvent, syncWithBroker } from './grant-sync.ts';
import type { Session } from './session.ts';

/** Starts and stops the stream with the session. */
export interface LiveConnection {
  start(): void;
  stop(): void;
  /** Reconnects now (recheck). */
  reconnect(): void;
  /** Last event id handled, for tests and diagnosis. */
  lastEventId(): string | null;
}

/** What the link needs. */
export interface LiveConnectionDeps {
  brokerUrl: string;
  session: Pick<Session, 'accessToken'>;
  grants: GrantDeps;
  /** Test hook: smaller backoff. */
  baseDelayMs?: number;
}

/** Creates the (stopped) link. */
export function createLiveConnection(deps: LiveConnectionDeps): LiveConnection {
  let stream: BrokerEventStream | null = null;
  let lastId: string | null = null;
  const { hub } = deps.grants;
  return {
    start() {
      if (stream) return;
      stream = startBrokerEventStream({
        brokerUrl: deps.brokerUrl,
        accessToken: () => deps.session.accessToken(),
        lastEventId: lastId,
        baseDelayMs: deps.baseDelayMs,
        onEvent: (event) => applyBrokerEvent(deps.grants, event),
        onState: (state, message) => {
          hub.setConnection(state, message);
          hub.changed();
        },
        onConnected: async () => {
          await syncWithBroker(deps.grants);
        },
      });
    },
    stop() {
      lastId = null;
      stream?.stop();
      stream = null;
    },
    reconnect() {
      stream?.reconnect();
    },
    lastEventId: () => stream?.lastEventId() ?? lastId,
  };
}
