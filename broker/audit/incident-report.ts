/**
 * The post-incident view of a ticket or a time window: every grant, who asked and why, who
 * approved, requested vs granted vs used time, early revokes, extensions, credential fetches and
 * wipe receipts. Pure: built from grant records and their audit records.
 */
import type { GrantRecord } from '../lifecycle/grant-record.ts';
import type { ChainedRecord } from './audit-chain.ts';

/** One grant in the report. */
export interface ReportedGrant {
  id: string;
  role: string;
  requester: string;
  reason: string;
  ticket: string | null;
  status: string;
  createdAt: string;
  approvedBy: { by: string; at: string; comment: string | null }[];
  requestedSeconds: number;
  grantedSeconds: number;
  /** Seconds the grant was active (activation to end, or to `now` while active). */
  usedSeconds: number | null;
  extensions: number;
  earlyRevoke: {
    by: string | null;
    at: string;
    reason: string | null;
    unusedSeconds: number | null;
  } | null;
  credentialFetches: number;
  wipe: { wipedAt: string; trigger: string; items: string[] } | null;
  breakGlass: boolean;
}

/** The report. */
export interface IncidentReport {
  scope: string;
  generatedAt: string;
  grants: ReportedGrant[];
}

const seconds = (from: string, to: string) =>
  Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));

function reportGrant(
  grant: GrantRecord,
  records: readonly ChainedRecord[],
  now: Date,
): ReportedGrant {
  const own = records.filter((r) => r.grantId === grant.id);
  const end = grant.endedAt ?? (grant.status === 'active' ? now.toISOString() : null);
  const early =
    grant.status === 'revoked' &&
    grant.endedAt &&
    grant.expiresAt &&
    grant.endedAt < grant.expiresAt;
  return {
    id: grant.id,
    role: grant.role,
    requester: `${grant.requesterName ?? grant.subject} (${grant.issuer}#${grant.subject})`,
    reason: grant.reason,
    ticket: grant.ticket,
    status: grant.status,
    createdAt: grant.createdAt,
    approvedBy: grant.approvals.map((a) => ({
      by: a.byName ? `${a.byName} (${a.by})` : a.by,
      at: a.at,
      comment: a.comment,
    })),
    requestedSeconds: grant.requestedSeconds,
    grantedSeconds: grant.grantedSeconds,
    usedSeconds: grant.activatedAt && end ? seconds(grant.activatedAt, end) : null,
    extensions: grant.extensionCount,
    earlyRevoke:
      early && grant.endedAt
        ? {
            by: grant.endedBy,
            at: grant.endedAt,
            reason: grant.endReason,
            unusedSeconds: grant.unusedSeconds,
          }
        : null,
    credentialFetches: own.filter((r) => r.event === 'credential_issued').length,
    wipe: grant.wipe
      ? { wipedAt: grant.wipe.wipedAt, trigger: grant.wipe.trigger, items: grant.wipe.items }
      : null,
    breakGlass: own.some((r) => r.event === 'break_glass'),
  };
}

/** Builds the report over `grants` and the audit `records` (any superset of theirs). */
export function incidentReport(
  scope: string,
  grants: readonly GrantRecord[],
  records: readonly ChainedRecord[],
  now: Date,
): IncidentReport {
  return {
    scope,
    generatedAt: now.toISOString(),
    grants: grants.map((g) => reportGrant(g, records, now)),
  };
}

const duration = (s: number | null) =>
  s === null
    ? '-'
    : s >= 3600
      ? `${(s / 3600).toFixed(1)}h`
      : s >= 60
        ? `${Math.round(s / 60)}m`
        : `${s}s`;

/** The report as text for a reviewer. */
export function formatIncidentReport(report: IncidentReport): string {
  const lines = [
    `Hourglass incident report: ${report.scope}`,
    `generated ${report.generatedAt}; ${report.grants.length} grant(s)`,
  ];
  for (const g of report.grants) {
    lines.push(
      '',
      `grant ${g.id}  role ${g.role}  ${g.status}${g.breakGlass ? '  BREAK-GLASS' : ''}`,
      `  requested by ${g.requester} at ${g.createdAt}, ticket ${g.ticket ?? '-'}`,
      `  reason: ${g.reason}`,
      `  approved by: ${g.approvedBy.length ? g.approvedBy.map((a) => `${a.by} at ${a.at}`).join('; ') : 'no approval needed'}`,
      `  time: requested ${duration(g.requestedSeconds)}, granted ${duration(g.grantedSeconds)}, used ${duration(g.usedSeconds)}, ${g.extensions} extension(s)`,
      `  credentials fetched: ${g.credentialFetches}`,
    );
    if (g.earlyRevoke)
      lines.push(
        `  revoked early at ${g.earlyRevoke.at} by ${g.earlyRevoke.by ?? '-'} (${g.earlyRevoke.reason ?? 'no reason'}), ${duration(g.earlyRevoke.unusedSeconds)} unused`,
      );
    lines.push(
      `  wipe receipt: ${g.wipe ? `${g.wipe.wipedAt} (${g.wipe.trigger}: ${g.wipe.items.join(', ')})` : 'none'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
