/** Pure text for CLI output: tables and one-line summaries. Never given a secret. */
import type { AgentStatus, LocalGrant, RoleSummary } from '../protocol/index.ts';
import { formatCountdown, formatDuration } from '../protocol/index.ts';

/** Formats rows as left-aligned columns. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** The `hourglass roles` table. */
export function formatRoles(roles: RoleSummary[]): string {
  if (roles.length === 0) return 'No roles are available to you.\n';
  return formatTable(
    ['ROLE', 'PROVIDER', 'MAX', 'APPROVALS', 'REASON'],
    roles.map((r) => [
      r.name,
      r.provider,
      formatDuration(r.maxDurationSeconds),
      r.approvalsRequired === 0
        ? 'none'
        : `${r.approvalsRequired} (${r.approverGroups.join(', ')})`,
      r.reasonRequired ? 'required' : 'optional',
    ]),
  );
}

/** Seconds left until `expiresAt` given the broker's `now`. */
export function secondsLeft(expiresAt: string | null, now: string): number {
  return expiresAt ? Math.max(0, Math.floor((Date.parse(expiresAt) - Date.parse(now)) / 1000)) : 0;
}

/** One line about a grant just requested. */
export function formatRequested(grant: LocalGrant, now: string): string {
  if (grant.status === 'active') {
    return (
      `grant ${grant.id} active: ${grant.role} granted ${formatDuration(grant.grantedSeconds)}, ` +
      `${formatDuration(secondsLeft(grant.expiresAt, now))} left (until ${grant.expiresAt ?? '?'})\n` +
      `Use it with: eval "$(hourglass env ${grant.role})"\n`
    );
  }
  return `grant ${grant.id} ${grant.status}: ${grant.role}${grant.status === 'pending' ? ', waiting for approval' : ''}\n`;
}

/** The `hourglass status` text. */
export function formatStatus(status: AgentStatus, grants: LocalGrant[]): string {
  const who = status.user
    ? `Signed in as ${status.user.name ?? status.user.subject}${status.user.email ? ` <${status.user.email}>` : ''}`
    : status.loggedIn
      ? 'Signed in'
      : 'Not signed in (run `hourglass login`)';
  const head = [
    `${who}${status.demo ? '  [DEMO]' : ''}`,
    `Broker: ${status.brokerUrl}`,
    `Identity provider: ${status.issuer}`,
  ].join('\n');
  const live = grants.filter((g) => g.status === 'active' || g.status === 'pending');
  if (live.length === 0) return `${head}\nNo active grants.\n`;
  const rows = live.map((g) => [
    g.role,
    g.status,
    g.status === 'active'
      ? formatCountdown(secondsLeft(g.expiresAt, status.now))
      : g.requestExpiresAt
        ? `request ${formatCountdown(secondsLeft(g.requestExpiresAt, status.now))}`
        : '-',
    g.credentialStored ? 'yes' : 'no',
    g.id,
  ]);
  return `${head}\n\n${formatTable(['ROLE', 'STATUS', 'LEFT', 'IN KEYCHAIN', 'GRANT'], rows)}`;
}
