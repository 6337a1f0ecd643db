/** Pure text for the lifecycle commands: waiting, conflicts, approvals, history. Never a secret. */
import type { LocalGrant, PendingApproval } from '../protocol/index.ts';
import { assertNever, formatCountdown, formatDuration } from '../protocol/index.ts';
import { approversOf, formatTable, secondsLeft, statusWord, wipeNote } from './format.ts';
import { localTime } from './local-time.ts';

/** The live line while a request waits: who can approve it and how long it may still wait. */
export function formatWaitLine(grant: LocalGrant, now: string): string {
  const wait = grant.requestExpiresAt
    ? `; may wait ${formatCountdown(secondsLeft(grant.requestExpiresAt, now))} more`
    : '';
  return `${grant.role} (grant ${grant.id}) waiting for approval — ${approversOf(grant)}${wait}`;
}

/** How a waited-for request ended. */
export function formatDecided(grant: LocalGrant, now: string): string {
  switch (grant.status) {
    case 'denied':
      return `grant ${grant.id} denied: ${grant.role}${grant.endedBy ? ` by ${grant.endedBy.split('#').pop() ?? ''}` : ''}${grant.endReason ? ` — ${grant.endReason}` : ''}\n`;
    case 'expired':
      return `grant ${grant.id} lapsed: ${grant.role} was not approved in time; request it again with \`hourglass request ${grant.role}\`\n`;
    case 'cancelled':
      return `grant ${grant.id} cancelled: ${grant.role}\n`;
    case 'active':
    case 'pending':
    case 'revoked':
      return `grant ${grant.id} ${grant.status}: ${grant.role}${grant.expiresAt ? `, ${formatDuration(secondsLeft(grant.expiresAt, now))} left` : ''}\n`;
    default:
      return assertNever(grant.status);
  }
}

/** The answer to a second request for a role already held: offer Extend, not a duplicate. */
export function formatAlreadyActive(
  role: string,
  grantId: string,
  held: LocalGrant | undefined,
  now: string,
): string {
  const left = held?.expiresAt
    ? `, ${formatDuration(secondsLeft(held.expiresAt, now))} left (until ${localTime(held.expiresAt, now)})`
    : '';
  return (
    `You already hold ${role} (grant ${grantId}${left}).\n` +
    `Extend it instead: hourglass extend ${role} --for <duration>\n`
  );
}

/** One line after an extension. */
export function formatExtended(grant: LocalGrant, now: string): string {
  if (grant.pendingExtension)
    return `grant ${grant.id}: extension to ${formatDuration(grant.pendingExtension.durationSeconds)} from the approval waits for approval (${approversOf(grant)}); the grant keeps running\n`;
  const budget = grant.extension;
  return (
    `grant ${grant.id} extended: ${grant.role} now ${formatDuration(secondsLeft(grant.expiresAt, now))} left (until ${localTime(grant.expiresAt, now)})\n` +
    `Extensions left: ${budget.remainingCount}, up to ${formatDuration(budget.remainingSeconds)} in total\n`
  );
}

/** One line after a revoke, cancel, approve or deny. */
export function formatEnded(verb: string, grant: LocalGrant): string {
  const note = grant.wipedLocallyAt ? '; credential wiped from this device' : '';
  return `grant ${grant.id} ${verb}: ${grant.role} (${grant.subject}) is now ${grant.status}${note}\n`;
}

/** The `hourglass approvals` table, with the commands to decide. */
export function formatApprovals(approvals: PendingApproval[], now: string): string {
  if (approvals.length === 0) return 'No requests wait for your approval.\n';
  const rows = approvals.map((a) => [
    a.grant.id,
    a.grant.requesterName ?? a.grant.subject,
    a.grant.role,
    a.kind,
    formatDuration(a.durationSeconds),
    formatCountdown(secondsLeft(a.waitsUntil, now)),
    `${a.grant.reason}${a.grant.ticket ? ` (${a.grant.ticket})` : ''}`,
  ]);
  const first = approvals[0]?.grant.id ?? '<grant>';
  return (
    formatTable(['GRANT', 'REQUESTER', 'ROLE', 'KIND', 'FOR', 'WAITS', 'REASON'], rows) +
    `Decide with: hourglass approve ${first} [--comment <text>]  |  hourglass deny ${first} --reason <text>\n`
  );
}

function usedSeconds(g: LocalGrant, now: string): number | null {
  if (g.activatedAt === null) return null;
  const end = g.endedAt ?? (g.status === 'active' ? now : g.expiresAt);
  if (end === null) return null;
  return Math.max(0, Math.round((Date.parse(end) - Date.parse(g.activatedAt)) / 1000));
}

/** The `hourglass history` table: requested vs used time, approvals, wipe receipts. */
export function formatHistory(grants: LocalGrant[], now: string): string {
  if (grants.length === 0) return 'No grants yet.\n';
  const rows = grants.map((g) => {
    const used = usedSeconds(g, now);
    const approvers = g.approvals.map((a) => a.byName ?? a.by.split('#').pop() ?? a.by).join(', ');
    return [
      localTime(g.createdAt, now, true),
      g.role,
      statusWord(g),
      formatDuration(g.requestedSeconds),
      used === null ? '-' : formatDuration(used),
      approvers || '-',
      wipeNote(g, now) || '-',
      g.id,
    ];
  });
  return formatTable(
    ['REQUESTED AT', 'ROLE', 'STATUS', 'ASKED', 'USED', 'APPROVED BY', 'WIPE', 'GRANT'],
    rows,
  );
}
