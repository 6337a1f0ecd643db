/** The tray's title, tooltip, icon and menu as a pure function of the agent snapshot. */
import { formatCountdown } from '../protocol/duration.ts';
import { visibleGrants } from '../renderer/grant-clock.logic.ts';
import type { TrayItem } from './tray-action.ts';
import { trayIconState, type TrayIconState } from './tray-icon-state.ts';
import {
  activeGrantsSection,
  approvalsSection,
  requestAccessSection,
} from './tray-menu-sections.ts';
import type { TrayState } from './tray-state.ts';

export type { TrayState } from './tray-state.ts';
export type { TrayAction, TrayItem } from './tray-action.ts';

/** Everything the tray shows. */
export interface TrayView {
  title: string;
  tooltip: string;
  icon: TrayIconState;
  /** Whether something counts down (the tray re-renders each second only then). */
  ticking: boolean;
  items: TrayItem[];
}

function connectionLabel(state: TrayState): TrayItem[] {
  const keychain: TrayItem[] =
    state.keychain?.status === 'fail'
      ? [{ kind: 'label', label: `Keychain problem: ${state.keychain.detail}`.slice(0, 120) }]
      : [];
  return [...keychain, ...brokerLabel(state)];
}

function brokerLabel(state: TrayState): TrayItem[] {
  const connection = state.snapshot?.connection;
  if (connection?.state === 'offline')
    return [{ kind: 'label', label: 'Offline: grants still end on time' }];
  if (connection?.state === 'connecting') return [{ kind: 'label', label: 'Connecting…' }];
  return [];
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Builds the tray view: soonest deadline in the title, grants, request access, approvals. */
export function trayMenu(state: TrayState): TrayView {
  const snapshot = state.snapshot;
  const status = snapshot?.status ?? null;
  const demo = status?.demo ? ' (DEMO)' : '';
  const user = status?.loggedIn ? (status.user?.name ?? status.user?.subject) : undefined;
  const profile = status && status.profile !== 'default' ? `, profile ${status.profile}` : '';
  const shown = user ? visibleGrants(snapshot?.grants ?? [], state.nowMs, state.offsetMs) : [];
  const active = shown.filter((g) => g.secondsLeft !== null);
  const first = active[0];
  const title = first ? formatCountdown(first.secondsLeft ?? 0) : '';
  const approvals = user ? (snapshot?.approvals ?? []) : [];
  const summary = first
    ? `${plural(active.length, 'active grant')}, next ends in ${title}`
    : 'no active grants';
  const waiting = approvals.length > 0 ? `, ${plural(approvals.length, 'approval')} waiting` : '';
  const signedIn: TrayItem[] = user
    ? [
        ...activeGrantsSection(shown),
        { kind: 'separator' },
        ...requestAccessSection(state.roles, state.lastRequests),
        ...approvalsSection(approvals),
        { kind: 'separator' },
      ]
    : [{ kind: 'separator' }];
  const items: TrayItem[] = [
    {
      kind: 'label',
      label: user ? `Signed in as ${user}${profile}${demo}` : `Not signed in${demo}`,
    },
    ...connectionLabel(state),
    ...signedIn,
    { kind: 'action', label: 'Open Hourglass', action: { type: 'open' } },
    user
      ? { kind: 'action', label: 'Sign out', action: { type: 'sign-out' } }
      : { kind: 'action', label: 'Sign in…', action: { type: 'sign-in' } },
    { kind: 'separator' },
    { kind: 'action', label: 'Quit Hourglass', action: { type: 'quit' } },
  ];
  return {
    title,
    tooltip: `Hourglass${demo}: ${summary}${waiting}`,
    icon: trayIconState(state, shown),
    ticking: first !== undefined,
    items,
  };
}
