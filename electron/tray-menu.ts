/** The tray's title, tooltip and menu as a pure function of the agent snapshot. */
import { formatCountdown } from '../protocol/duration.ts';
import { visibleGrants } from '../renderer/grant-clock.logic.ts';
import type { TrayState } from './tray-state.ts';

export type { TrayState } from './tray-state.ts';

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

function connectionLabel(state: TrayState): TrayItem[] {
  const connection = state.snapshot?.connection;
  if (connection?.state === 'offline')
    return [{ kind: 'label', label: 'Offline: grants still end on time' }];
  if (connection?.state === 'connecting') return [{ kind: 'label', label: 'Connecting…' }];
  return [];
}

/** Builds the tray view: soonest deadline in the title, one row per grant, approvals waiting. */
export function trayMenu(state: TrayState): TrayView {
  const snapshot = state.snapshot;
  const status = snapshot?.status ?? null;
  const demo = status?.demo ? ' (DEMO)' : '';
  const user = status?.loggedIn ? (status.user?.name ?? status.user?.subject) : undefined;
  const shown = user ? visibleGrants(snapshot?.grants ?? [], state.nowMs, state.offsetMs) : [];
  const active = shown.filter((g) => g.secondsLeft !== null);
  const first = active[0];
  const title = first ? formatCountdown(first.secondsLeft ?? 0) : '';
  const approvals = user ? (snapshot?.approvals.length ?? 0) : 0;
  const summary = first
    ? `${active.length} active grant${active.length > 1 ? 's' : ''}, next ends in ${title}`
    : 'no active grants';
  const waiting = approvals > 0 ? `, ${approvals} approval${approvals > 1 ? 's' : ''} waiting` : '';
  const items: TrayItem[] = [
    { kind: 'label', label: user ? `Signed in as ${user}${demo}` : `Not signed in${demo}` },
    ...connectionLabel(state),
    ...shown.map(({ grant, secondsLeft }): TrayItem => ({
      kind: 'label',
      label:
        secondsLeft === null
          ? `${grant.role}: pending approval`
          : `${grant.role}: ${formatCountdown(secondsLeft)} left`,
    })),
    ...(approvals > 0
      ? [{ kind: 'action', label: `Approvals waiting: ${approvals}…`, action: 'open' } as const]
      : []),
    { kind: 'separator' },
    { kind: 'action', label: 'Open Hourglass', action: 'open' },
    user
      ? { kind: 'action', label: 'Sign out', action: 'sign-out' }
      : { kind: 'action', label: 'Sign in…', action: 'sign-in' },
    { kind: 'separator' },
    { kind: 'action', label: 'Quit Hourglass', action: 'quit' },
  ];
  return { title, tooltip: `Hourglass${demo}: ${summary}${waiting}`, items };
}
