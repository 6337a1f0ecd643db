/**
 * The notification planner: a pure function from the previous and next snapshot (and the broker's
 * `now`) to the notices due. Ids are stable per occasion (kind + grant + mark or deadline), so the
 * publisher drops repeats and clients never show one twice.
 */
import type { AgentNotice, AgentSnapshot, LocalGrant, PendingApproval } from '../protocol/index.ts';
import { formatDuration } from '../protocol/index.ts';

/** What the planner looks at. */
export interface NoticePlanInput {
  previous: AgentSnapshot | null;
  next: AgentSnapshot;
  /** Broker-clock instant, epoch ms. */
  now: number;
  /** Warning marks in seconds before the deadline (default 600 and 120). */
  warnBeforeSeconds?: readonly number[];
}

/** The default warning marks: 10 minutes and 2 minutes before the deadline. */
export const DEFAULT_WARN_MARKS = [600, 120] as const;

type Draft = Omit<AgentNotice, 'at' | 'grantId' | 'role'>;

const notice = (grant: LocalGrant, at: number, draft: Draft): AgentNotice => ({
  ...draft,
  grantId: grant.id,
  role: grant.role,
  at: new Date(at).toISOString(),
});

/** Who did it, from an `issuer#subject` or a bare subject. */
const who = (by: string | null): string => (by ? (by.split('#').pop() ?? by) : 'someone');

/** The smallest passed mark of an active grant: "2 min left" beats "10 min left". */
function expiring(grant: LocalGrant, now: number, marks: readonly number[]): AgentNotice | null {
  if (grant.status !== 'active' || grant.expiresAt === null) return null;
  const left = (Date.parse(grant.expiresAt) - now) / 1000;
  if (!(left > 0)) return null;
  const mark = [...marks].sort((a, b) => a - b).find((m) => left <= m);
  if (mark === undefined) return null;
  return notice(grant, now, {
    id: `expiring:${grant.id}:${mark}:${grant.expiresAt}`,
    kind: 'expiring',
    title: `${grant.role} expires in ${formatDuration(Math.ceil(left))}`,
    body: 'Extend it now if you still need access.',
    actions: ['extend'],
  });
}

function transition(before: LocalGrant, grant: LocalGrant, now: number): AgentNotice[] {
  const out: AgentNotice[] = [];
  const id = (kind: string, extra = '') => `${kind}:${grant.id}${extra}`;
  if (before.status === 'pending' && grant.status === 'active') {
    const by = grant.approvals.map((a) => a.byName ?? who(a.by)).join(', ');
    out.push(
      notice(grant, now, {
        id: id('approved'),
        kind: 'approved',
        title: `${grant.role} approved`,
        body: by ? `Approved by ${by}; your access is active.` : 'Your access is active.',
        actions: [],
      }),
    );
  }
  if (before.status === 'pending' && grant.status === 'denied') {
    out.push(
      notice(grant, now, {
        id: id('denied'),
        kind: 'denied',
        title: `${grant.role} denied by ${who(grant.endedBy)}`,
        body: grant.endReason ? `Reason: ${grant.endReason.slice(0, 400)}` : 'No reason given.',
        actions: [],
      }),
    );
  }
  const ownRevoke = grant.endedBy !== null && who(grant.endedBy) === grant.subject;
  if (before.status === 'active' && grant.status === 'revoked' && !ownRevoke) {
    out.push(
      notice(grant, now, {
        id: id('revoked'),
        kind: 'revoked',
        title: `${grant.role} revoked by ${who(grant.endedBy)}`,
        body: grant.endReason ? `Reason: ${grant.endReason.slice(0, 400)}` : 'Access has ended.',
        actions: [],
      }),
    );
  }
  if (before.status === 'active' && grant.status === 'expired') {
    out.push(
      notice(grant, now, {
        id: id('expired'),
        kind: 'expired',
        title: `${grant.role} expired`,
        body: 'Request it again if you still need access.',
        actions: [],
      }),
    );
  }
  const later =
    before.expiresAt !== null &&
    grant.expiresAt !== null &&
    Date.parse(grant.expiresAt) > Date.parse(before.expiresAt);
  if (before.status === 'active' && grant.status === 'active' && later) {
    out.push(
      notice(grant, now, {
        id: id('extended', `:${grant.expiresAt ?? ''}`),
        kind: 'extended',
        title: `${grant.role} extended`,
        body: `Now until ${grant.expiresAt ?? '?'}.`,
        actions: [],
      }),
    );
  }
  if (before.wipedLocallyAt === null && grant.wipedLocallyAt !== null) {
    out.push(
      notice(grant, now, {
        id: id('wiped'),
        kind: 'wiped',
        title: `${grant.role} credential wiped`,
        body: 'The secret is gone from this device.',
        actions: [],
      }),
    );
  }
  return out;
}

const approvalKey = (a: PendingApproval): string =>
  `${a.grant.id}:${a.kind}:${a.kind === 'extension' ? (a.grant.pendingExtension?.requestedAt ?? '') : a.grant.createdAt}`;

function approvalNeeded(approval: PendingApproval, now: number): AgentNotice {
  const g = approval.grant;
  const requester = g.requesterName ?? g.subject;
  const what = approval.kind === 'extension' ? 'an extension of' : 'access to';
  return notice({ ...g, credentialStored: false, wipedLocallyAt: null }, now, {
    id: `approval_needed:${approvalKey(approval)}`,
    kind: 'approval_needed',
    title: `${requester} asks for ${what} ${g.role}`,
    body: `${formatDuration(approval.durationSeconds)}: ${g.reason.slice(0, 300)}${g.ticket ? ` (${g.ticket})` : ''}`,
    actions: ['approve', 'deny'],
  });
}

/** The notices due for the change from `previous` to `next` at `now`. */
export function planNotices(input: NoticePlanInput): AgentNotice[] {
  const { previous, next, now } = input;
  const marks = input.warnBeforeSeconds ?? DEFAULT_WARN_MARKS;
  const out: AgentNotice[] = [];
  const before = new Map((previous?.grants ?? []).map((g) => [g.id, g]));
  for (const grant of next.grants) {
    const old = before.get(grant.id);
    if (old) out.push(...transition(old, grant, now));
    const warn = expiring(grant, now, marks);
    if (warn) out.push(warn);
  }
  const known = new Set((previous?.approvals ?? []).map(approvalKey));
  for (const approval of next.approvals)
    if (!known.has(approvalKey(approval))) out.push(approvalNeeded(approval, now));
  return out;
}
