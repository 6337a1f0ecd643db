/** The tray's state holder in main: folds pushed snapshots, fetched roles and settings. */
import type { AgentHandlers, AgentSnapshot } from '../protocol/index.ts';
import type { KeychainHealth } from '../renderer/keychain-health.logic.ts';
import type { AppSettings } from './settings.ts';
import {
  emptyTrayState,
  trayKeychainChecked,
  trayRolesReceived,
  traySettingsChanged,
  traySnapshotReceived,
  trayStateAt,
  type TrayState,
} from './tray-state.ts';

/** The holder; every change goes through the pure transitions of `tray-state.ts`. */
export interface TrayModel {
  /** The state read now (the tray renders from it). */
  state: () => TrayState;
  latest: () => AgentSnapshot | null;
  /** Folds a snapshot in; fetches the roles once per signed-in user, then calls `changed`. */
  snapshotReceived(
    snapshot: AgentSnapshot,
    handlers: Pick<AgentHandlers, 'listRoles'>,
    changed: () => void,
  ): void;
  settingsChanged(settings: AppSettings): void;
  keychainChecked(health: KeychainHealth): void;
}

/** Creates the holder from the settings and the agent's warning marks. */
export function createTrayModel(settings: AppSettings, agentMarks: readonly number[]): TrayModel {
  const marks = () => settings.warnBeforeSeconds ?? agentMarks;
  let state = traySettingsChanged(emptyTrayState(Date.now()), {
    lastRequests: settings.lastRequests,
    warnMarks: marks(),
  });
  let rolesFor: string | null = null;
  return {
    state: () => trayStateAt(state, Date.now()),
    latest: () => state.snapshot,
    snapshotReceived(snapshot, handlers, changed) {
      state = traySnapshotReceived(state, snapshot, Date.now());
      const subject = snapshot.status.loggedIn ? (snapshot.status.user?.subject ?? null) : null;
      if (subject === rolesFor) return;
      rolesFor = subject;
      if (subject === null) return;
      void handlers.listRoles({}).then((roles) => {
        if (!roles.ok || rolesFor !== subject) return;
        state = trayRolesReceived(state, roles.value.roles);
        changed();
      });
    },
    keychainChecked(health) {
      state = trayKeychainChecked(state, health);
    },
    settingsChanged(next) {
      settings = next;
      state = traySettingsChanged(state, { lastRequests: next.lastRequests, warnMarks: marks() });
    },
  };
}
