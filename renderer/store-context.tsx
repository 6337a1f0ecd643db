/** React access to the per-feature stores: each view subscribes only to the features it shows. */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { ApprovalsState } from './stores/approvals.ts';
import type { GrantsState } from './stores/grants.ts';
import type { NoticesState } from './stores/notices.ts';
import type { RolesState } from './stores/roles.ts';
import type { SessionState } from './stores/session.ts';
import type { AgentApp, AppActions } from './store.ts';

/** Context carrying the stores and actions. */
export const StoreContext = createContext<AgentApp | null>(null);

function useAgentApp(): AgentApp {
  const app = useContext(StoreContext);
  if (!app) throw new Error('the views need a StoreContext provider');
  return app;
}

/** Selects from the session store (status, connection, sign-in, clock offset). */
export function useSession<T>(selector: (state: SessionState) => T): T {
  return useStore(useAgentApp().stores.session, selector);
}

/** Selects from the grants store. */
export function useGrants<T>(selector: (state: GrantsState) => T): T {
  return useStore(useAgentApp().stores.grants, selector);
}

/** Selects from the approvals store. */
export function useApprovals<T>(selector: (state: ApprovalsState) => T): T {
  return useStore(useAgentApp().stores.approvals, selector);
}

/** Selects from the roles store. */
export function useRoles<T>(selector: (state: RolesState) => T): T {
  return useStore(useAgentApp().stores.roles, selector);
}

/** Selects from the notices store. */
export function useNotices<T>(selector: (state: NoticesState) => T): T {
  return useStore(useAgentApp().stores.notices, selector);
}

/** The actions (a stable object: never re-renders anything). */
export function useActions(): AppActions {
  return useAgentApp().actions;
}
