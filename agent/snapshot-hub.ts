/**
 * The snapshot hub: holds the broker's last word (grants, approvals) and the connection state,
 * builds `AgentSnapshot`s with this device's records merged in, and pushes every change and the
 * planner's notices to in-process subscribers (local API watch stream, console SSE, Electron IPC).
 */
import type {
  AgentNotice,
  AgentPush,
  AgentSnapshot,
  AgentStatus,
  ConnectionState,
  Grant,
  PendingApproval,
} from '../protocol/index.ts';
import type { Clock } from './clock.ts';
import type { GrantStore } from './grant-store.ts';
import { planNotices } from './notification-plan.ts';
import { mergeGrants } from './snapshot-merge.ts';

/** A push listener; unsubscribe with the function `subscribe` answers. */
export type PushListener = (push: AgentPush) => void;

/** The hub. */
export interface SnapshotHub {
  current(): AgentSnapshot;
  subscribe(listener: PushListener): () => void;
  setConnection(state: ConnectionState['state'], message: string | null): void;
  /** Replaces the broker's grant list (a full resync). */
  setBrokerGrants(grants: readonly Grant[]): void;
  upsertBrokerGrant(grant: Grant): void;
  setApprovals(approvals: readonly PendingApproval[]): void;
  /** Forgets the broker's view (sign-out, a different user). */
  clearBrokerView(): void;
  /** Something changed: publish a new snapshot (coalesced) and the notices now due. */
  changed(): void;
}

/** What the hub reads. */
export interface SnapshotHubDeps {
  clock: Clock;
  store: GrantStore;
  /** The agent status without I/O (profile, who is signed in). */
  status: (now: string) => AgentStatus;
  warnBeforeSeconds: readonly number[];
}

/** Creates the hub. */
export function createSnapshotHub(deps: SnapshotHubDeps): SnapshotHub {
  const listeners = new Set<PushListener>();
  const grants = new Map<string, Grant>();
  let approvals: PendingApproval[] = [];
  let connection: ConnectionState = {
    state: 'signed_out',
    message: null,
    since: new Date(deps.clock.now()).toISOString(),
  };
  let version = 0;
  let last: AgentSnapshot | null = null;
  let lastKey = '';
  let queued = false;
  const announced = new Set<string>();

  const brokerNow = () => deps.clock.now() + deps.store.offsetMs();

  function build(): AgentSnapshot {
    const now = new Date(brokerNow()).toISOString();
    const status = deps.status(now);
    const signedOut = !status.loggedIn;
    return {
      version,
      now,
      status,
      connection: signedOut
        ? { state: 'signed_out', message: 'Not signed in', since: connection.since }
        : connection,
      grants: signedOut
        ? []
        : mergeGrants([...grants.values()], deps.store.list(), status.user?.subject ?? null),
      approvals: signedOut ? [] : approvals,
    };
  }

  function emit(push: AgentPush): void {
    for (const listener of listeners) {
      try {
        listener(push);
      } catch {
        // A failing subscriber must not stop the others or the agent.
      }
    }
  }

  function publish(): void {
    queued = false;
    const next = build();
    const { version: _v, now: _n, ...content } = next;
    const key = JSON.stringify(content);
    if (key !== lastKey) {
      version += 1;
      lastKey = key;
      const snapshot = { ...next, version };
      emit({ type: 'snapshot', snapshot });
      publishNotices(last, snapshot);
      last = snapshot;
      return;
    }
    publishNotices(last, next);
  }

  function publishNotices(previous: AgentSnapshot | null, next: AgentSnapshot): void {
    const notices: AgentNotice[] = planNotices({
      previous,
      next,
      now: brokerNow(),
      warnBeforeSeconds: deps.warnBeforeSeconds,
    });
    for (const notice of notices) {
      if (announced.has(notice.id)) continue;
      announced.add(notice.id);
      emit({ type: 'notice', notice });
    }
  }

  return {
    current: () => ({ ...build(), version }),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setConnection(state, message) {
      if (connection.state === state && connection.message === message) return;
      const since =
        connection.state === state ? connection.since : new Date(deps.clock.now()).toISOString();
      connection = { state, message, since };
    },
    setBrokerGrants(list) {
      grants.clear();
      for (const g of list) grants.set(g.id, g);
    },
    upsertBrokerGrant(grant) {
      grants.set(grant.id, grant);
    },
    setApprovals(list) {
      approvals = [...list];
    },
    clearBrokerView() {
      grants.clear();
      approvals = [];
    },
    changed() {
      if (queued) return;
      queued = true;
      queueMicrotask(publish);
    },
  };
}
