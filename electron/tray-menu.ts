/** Tray title, tooltip and menu as a pure function of agent state. */
import { formatCountdown } from '../protocol/duration.ts';
import type { AgentStatus, LocalGrant } from '../protocol/agent-api.ts';
import { visibleGrants } from '../renderer/grant-clock.logic.ts';

/** What the tray knows: the latest status and grants, and the clocks to count down with. */
export interface TrayState {
  status: AgentStatus | null;
  grants: readonly LocalGrant[];
  nowMs: number;
  /** Broker clock minus local clock. */
  offsetMs: number;
}

/** Actions a menu item can trigger; main maps each to code. */
export type TrayAction = 'open' | 'sign-in' | 'sign-out' | 'quit';

/** One menu row, independent of Electron's MenuItem. */
export type TrayItem =
  | { kind: 'label'; label: string }
  | { kind: 'action'; label: string; action: TrayAction }
  | { kind: 'separator' };

/** Everything the tray shows. */
export interface TrayView {
  title: string;
  tooltip: string;
  items: TrayItem[];
}

/** Builds the tray view: soonest deadline in the title, one row per active grant. */
export function trayMenu(state: TrayState): TrayView {
  const demo = state.status?.demo ? ' (DEMO)' : '';
  const user = state.status?.loggedIn
    ? (state.status.user?.name ?? state.status.user?.subject)
    : undefined;
  const shown = visibleGrants(state.grants, state.nowMs, state.offsetMs);
  const active = shown.filter((g) => g.secondsLeft !== null);
  const first = active[0];
  const title = first ? formatCountdown(first.secondsLeft ?? 0) : '';
  const summary = first
    ? `${active.length} active grant${active.length > 1 ? 's' : ''}, next ends in ${title}`
    : 'no active grants';
  const items: TrayItem[] = [
    { kind: 'label', label: user ? `Signed in as ${user}${demo}` : `Not signed in${demo}` },
    ...shown.map(({ grant, secondsLeft }): TrayItem => ({
      kind: 'label',
      label:
        secondsLeft === null
          ? `${grant.role}: pending approval`
          : `${grant.role}: ${formatCountdown(secondsLeft)} left`,
    })),
    { kind: 'separator' },
    { kind: 'action', label: 'Open Hourglass', action: 'open' },
    user
      ? { kind: 'action', label: 'Sign out', action: 'sign-out' }
      : { kind: 'action', label: 'Sign in…', action: 'sign-in' },
    { kind: 'separator' },
    { kind: 'action', label: 'Quit Hourglass', action: 'quit' },
  ];
  return { title, tooltip: `Hourglass${demo}: ${summary}`, items };
}
