/** The tray menu's sections: active grants, request access, pending approvals. Pure. */
import type { PendingApproval, RoleSummary } from '../protocol/broker-api.ts';
import { formatCountdown, formatDuration } from '../protocol/duration.ts';
import { displayText } from '../protocol/plain-text.ts';
import type { VisibleGrant } from '../renderer/grant-clock.logic.ts';
import { extendPresets } from '../renderer/extend-presets.logic.ts';
import { requestPresets } from '../renderer/request-presets.logic.ts';
import type { TrayItem } from './tray-action.ts';
import type { LastRequest } from './tray-state.ts';

function activeGrantItem(entry: VisibleGrant): TrayItem {
  const { grant, secondsLeft } = entry;
  if (secondsLeft === null) {
    return {
      kind: 'submenu',
      label: `${grant.role}: pending approval`,
      items: [
        { kind: 'action', label: 'Open', action: { type: 'open-grant', grantId: grant.id } },
        { kind: 'action', label: 'Cancel request', action: { type: 'cancel', grantId: grant.id } },
      ],
    };
  }
  const presets = extendPresets(grant.extension);
  const extend: TrayItem =
    presets.length === 0
      ? { kind: 'label', label: 'Extend: no budget left' }
      : {
          kind: 'submenu',
          label: 'Extend',
          items: presets.map((p) => ({
            kind: 'action',
            label: `+${p.label}`,
            action: { type: 'extend', grantId: grant.id, seconds: p.seconds },
          })),
        };
  return {
    kind: 'submenu',
    label: `${grant.role}: ${formatCountdown(secondsLeft)} left`,
    items: [
      extend,
      {
        kind: 'action',
        label: 'Copy export command',
        action: { type: 'copy-export', role: grant.role },
      },
      {
        kind: 'action',
        label: 'Open terminal with credentials',
        action: { type: 'open-terminal', role: grant.role },
      },
      { kind: 'action', label: "I'm done", action: { type: 'done', grantId: grant.id } },
    ],
  };
}

/** "Active grants": one submenu per grant, soonest deadline first, then pending requests. */
export function activeGrantsSection(shown: readonly VisibleGrant[]): TrayItem[] {
  if (shown.length === 0) return [{ kind: 'label', label: 'No active grants' }];
  return [{ kind: 'label', label: 'Active grants' }, ...shown.map(activeGrantItem)];
}

function roleItem(role: RoleSummary, last: LastRequest | undefined): TrayItem {
  return {
    kind: 'submenu',
    label: role.approvalsRequired > 0 ? `${role.name} (needs approval)` : role.name,
    items: requestPresets(role.maxDurationSeconds).map((seconds) => ({
      kind: 'action',
      label: `${formatDuration(seconds)}…`,
      action: {
        type: 'request',
        prefill: {
          role: role.name,
          durationSeconds: seconds,
          ...(last ? { reason: last.reason } : {}),
          ...(last?.ticket !== undefined ? { ticket: last.ticket } : {}),
        },
      },
    })),
  };
}

/** "Request access ▸": roles grouped by environment → duration presets (each opens the window). */
export function requestAccessSection(
  roles: readonly RoleSummary[],
  lastRequests: Readonly<Record<string, LastRequest>>,
): TrayItem[] {
  if (roles.length === 0) return [];
  const groups = new Map<string, RoleSummary[]>();
  for (const role of [...roles].sort((a, b) => a.name.localeCompare(b.name))) {
    // Grouped by the tenant/environment the broker names for the role (e.g. prod-eu, staging).
    const group = role.tenant;
    groups.set(group, [...(groups.get(group) ?? []), role]);
  }
  return [
    {
      kind: 'submenu',
      label: 'Request access',
      items: [...groups].map(([group, members]) => ({
        kind: 'submenu',
        label: group,
        items: members.map((r) => roleItem(r, lastRequests[r.name])),
      })),
    },
  ];
}

/** "Pending approvals ▸": per request, Approve / Deny (only approvers get any). */
export function approvalsSection(approvals: readonly PendingApproval[]): TrayItem[] {
  if (approvals.length === 0) return [];
  return [
    {
      kind: 'submenu',
      label: `Pending approvals (${approvals.length})`,
      items: approvals.map(({ grant, kind, durationSeconds }) => ({
        kind: 'submenu',
        // Requester text comes from the broker and IdP: shown inert (issue 18, finding 4).
        label: `${displayText(grant.requesterName ?? grant.subject)}: ${grant.role} ${kind === 'extension' ? '+' : ''}${formatDuration(durationSeconds)}`,
        items: [
          { kind: 'label', label: `Reason: ${displayText(grant.reason.slice(0, 80))}` },
          { kind: 'action', label: 'Approve', action: { type: 'approve', grantId: grant.id } },
          { kind: 'action', label: 'Deny', action: { type: 'deny', grantId: grant.id } },
        ],
      })),
    },
  ];
}
