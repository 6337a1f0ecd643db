/** Keeps the tray's view of agent state fresh by polling the agent handlers. */
import type { RendererApi } from '../protocol/agent-api.ts';
import { clockOffsetMs } from '../renderer/grant-clock.logic.ts';
import type { TrayState } from './tray-menu.ts';

/** Polls status and grants every `intervalMs`; `read()` gives the latest state with the current time. */
export function pollTrayState(
  api: RendererApi,
  intervalMs = 5000,
  clock: () => number = () => Date.now(),
): { read: () => TrayState; refresh: () => Promise<void>; stop: () => void } {
  let state: TrayState = { status: null, grants: [], nowMs: clock(), offsetMs: 0 };
  const refresh = async () => {
    const status = await api.getStatus({});
    const grants = status.ok && status.value.loggedIn ? await api.listGrants({}) : null;
    const at = clock();
    state = {
      status: status.ok ? status.value : null,
      grants: grants?.ok ? grants.value.grants : [],
      nowMs: at,
      offsetMs: grants?.ok ? clockOffsetMs(grants.value.now, at) : state.offsetMs,
    };
  };
  void refresh();
  const timer = setInterval(() => void refresh(), intervalMs);
  return {
    read: () => ({ ...state, nowMs: clock() }),
    refresh,
    stop: () => clearInterval(timer),
  };
}
