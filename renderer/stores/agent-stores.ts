/**
 * The per-feature stores fed by the agent, and the routing of its pushes to them: a snapshot goes
 * to the session (which drops a stale one), then to grants, approvals and roles; a notice to notices.
 */
import type { AgentNotice, AgentSnapshot } from '../../protocol/agent-api.ts';
import {
  approvalsPushed,
  createApprovalsStore,
  initialApprovals,
  type ApprovalsStore,
} from './approvals.ts';
import { createGrantsStore, grantsPushed, initialGrants, type GrantsStore } from './grants.ts';
import {
  createNoticesStore,
  initialNotices,
  noticeReceived,
  type NoticesStore,
} from './notices.ts';
import { createRolesStore, initialRoles, rolesSessionChanged, type RolesStore } from './roles.ts';
import {
  createSessionStore,
  sessionSignedOut,
  sessionSnapshotReceived,
  type SessionStore,
} from './session.ts';

/** One store per feature; the views subscribe to the ones they show. */
export interface AgentStores {
  session: SessionStore;
  grants: GrantsStore;
  approvals: ApprovalsStore;
  roles: RolesStore;
  notices: NoticesStore;
}

/** Creates the stores, empty. */
export function createAgentStores(): AgentStores {
  return {
    session: createSessionStore(),
    grants: createGrantsStore(),
    approvals: createApprovalsStore(),
    roles: createRolesStore(),
    notices: createNoticesStore(),
  };
}

/**
 * Routes a snapshot received at local time `receivedAtMs`; answers false when it was stale (an
 * older one arriving late), in which case no store changed.
 */
export function routeSnapshot(
  stores: AgentStores,
  snapshot: AgentSnapshot,
  receivedAtMs: number,
): boolean {
  const before = stores.session.getState();
  const after = sessionSnapshotReceived(before, snapshot, receivedAtMs);
  if (after === before) return false;
  stores.session.setState(after, true);
  stores.grants.setState((s) => grantsPushed(s, snapshot.grants), true);
  stores.approvals.setState((s) => approvalsPushed(s, snapshot.approvals), true);
  stores.roles.setState((s) => rolesSessionChanged(s, snapshot.status.loggedIn), true);
  return true;
}

/** Routes a notice to the in-page list. */
export function routeNotice(stores: AgentStores, notice: AgentNotice): void {
  stores.notices.setState((s) => noticeReceived(s, notice), true);
}

/** Signed out: every user-specific store starts over; the session keeps only who is not signed in. */
export function routeSignedOut(stores: AgentStores): void {
  stores.session.setState(sessionSignedOut, true);
  stores.grants.setState(initialGrants(), true);
  stores.approvals.setState(initialApprovals(), true);
  stores.roles.setState(initialRoles(), true);
  stores.notices.setState(initialNotices(), true);
}
