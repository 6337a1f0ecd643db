/** Pure text for CLI output: tables and one-line summaries. Never given a secret. */
import type { AgentSnapshot, AgentStatus, LocalGrant, RoleSummary } from '../protocol/index.ts';
// Zod-free imports: the fast path (cli/fast-path.ts) bundles formatStatus without the contracts.
import { assertNever } from '../protocol/assert-never.ts';
import { formatCountdown, formatDuration } from '../protocol/duration.ts';
import { exportCommand, type ExportLineShell } from '../protocol/export-command.ts';
import { localTime } from './local-time.ts';

/** Formats rows as left-aligned columns. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
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

/** Who may approve a pending grant, and how many approvals it has. */
export function approversOf(grant: LocalGrant): string {
  const groups = grant.approverGroups.length > 0 ? grant.approverGroups.join(', ') : 'nobody';
  return `approvers: ${groups} (${grant.approvals.length}/${grant.approvalsRequired})`;
}

/** One line about a grant just requested; its hint loads it in `shell` (none: POSIX shells). */
export function formatRequested(grant: LocalGrant, now: string, shell?: ExportLineShell): string {
  if (grant.status === 'active') {
    return (
      `grant ${grant.id} active: ${grant.role} granted ${formatDuration(grant.grantedSeconds)}, ` +
      `${formatDuration(secondsLeft(grant.expiresAt, now))} left (until ${localTime(grant.expiresAt, now)})\n` +
      `Use it with: ${exportCommand(grant.role, 'default', shell)}\n`
    );
  }
  if (grant.status === 'pending') {
    const wait = grant.requestExpiresAt
      ? `, lapses in ${formatCountdown(secondsLeft(grant.requestExpiresAt, now))}`
      : '';
    return (
      `grant ${grant.id} pending: ${grant.role}, waiting for approval (${approversOf(grant)}${wait})\n` +
      `Follow it with \`hourglass status\`; withdraw it with \`hourglass cancel ${grant.id}\`\n`
    );
  }
  return `grant ${grant.id} ${grant.status}: ${grant.role}\n`;
}

/**
 * What the device did with an ended grant's secret, as the broker and the device know it; times
 * are local, with the date when not `now`'s day.
 */
export function wipeNote(grant: LocalGrant, now: string): string {
  const at = (instant: string | null | undefined) => localTime(instant, now);
  switch (grant.wipeState) {
    case 'wiped':
      return `wiped ${at(grant.wipe?.wipedAt ?? grant.wipedLocallyAt)} (receipt ${at(grant.wipe?.receivedAt)})`;
    case 'not_confirmed':
      return grant.wipedLocallyAt
        ? `wiped here ${at(grant.wipedLocallyAt)}, receipt not delivered yet`
        : 'wipe not confirmed';
    case 'awaiting':
      return grant.wipedLocallyAt
        ? `wiped here ${at(grant.wipedLocallyAt)}, receipt pending`
        : 'awaiting wipe';
    case 'none':
      return grant.wipedLocallyAt ? `wiped here ${at(grant.wipedLocallyAt)}` : '';
    default:
      return assertNever(grant.wipeState);
  }
}

/** A grant's status word; loud when its access could not be removed at the target. */
export function statusWord(g: LocalGrant): string {
  return g.irrevocableAt === null ? g.status : `${g.status} IRREVOCABLE`;
}

/** The alarm lines for grants whose access may remain at the target (empty when none). */
export function irrevocableAlarm(grants: LocalGrant[], now: string): string {
  return grants
    .filter((g) => g.irrevocableAt !== null)
    .map(
      (g) =>
        `ALARM: access of ${g.role} (grant ${g.id}) could not be removed at its target since ` +
        `${localTime(g.irrevocableAt, now)}; it may still work there. Admins are alerted; the broker keeps retrying.\n`,
    )
    .join('');
}

function statusRow(g: LocalGrant, now: string): string[] {
  const left =
    g.status === 'active'
      ? formatCountdown(secondsLeft(g.expiresAt, now))
      : g.status === 'pending' && g.requestExpiresAt
        ? `request ${formatCountdown(secondsLeft(g.requestExpiresAt, now))}`
        : '-';
  const note =
    g.status === 'pending'
      ? approversOf(g)
      : g.status === 'active'
        ? g.pendingExtension
          ? 'extension waiting for approval'
          : ''
        : wipeNote(g, now);
  return [g.role, statusWord(g), left, g.credentialStored ? 'yes' : 'no', g.id, note];
}

const RECENT_MS = 60 * 60_000;

/** Grants `status` shows: active, pending, and those ended in the last hour or never confirmed wiped. */
export function statusGrants(grants: LocalGrant[], now: string): LocalGrant[] {
  return grants.filter((g) => {
    if (g.status === 'active' || g.status === 'pending' || g.irrevocableAt !== null) return true;
    if (g.wipeState === 'not_confirmed' || g.wipeState === 'awaiting') return true;
    return g.endedAt !== null && Date.parse(now) - Date.parse(g.endedAt) < RECENT_MS;
  });
}

function who(status: AgentStatus): string {
  if (status.user) {
    const u = status.user;
    return `Signed in as ${u.name ?? u.subject}${u.email ? ` <${u.email}>` : ''}`;
  }
  return status.loggedIn ? 'Signed in' : 'Not signed in (run `hourglass login`)';
}

/** The `hourglass status` text from the agent's snapshot. */
export function formatStatus(snapshot: AgentSnapshot): string {
  const { status, connection, now } = snapshot;
  const profile = status.profile === 'default' ? '' : `  (profile ${status.profile})`;
  const lines = [
    `${who(status)}${status.demo ? '  [DEMO]' : ''}${profile}`,
    `Broker: ${status.brokerUrl}`,
    `Identity provider: ${status.issuer}`,
  ];
  if (connection.state === 'offline' || connection.state === 'connecting')
    lines.push(
      `${connection.state === 'offline' ? 'Offline' : 'Connecting'}: ${connection.message ?? 'no live link to the broker'} (showing what this device holds)`,
    );
  const head = lines.join('\n');
  const shown = statusGrants(snapshot.grants, now);
  const approvals =
    snapshot.approvals.length > 0
      ? `\n${snapshot.approvals.length} request(s) wait for your approval: \`hourglass approvals\`\n`
      : '';
  if (shown.length === 0) return `${head}\nNo active grants.\n${approvals}`;
  const table = formatTable(
    ['ROLE', 'STATUS', 'LEFT', 'IN KEYCHAIN', 'GRANT', 'NOTE'],
    shown.map((g) => statusRow(g, now)),
  );
  return `${head}\n\n${irrevocableAlarm(shown, now)}${table}${approvals}`;
}
