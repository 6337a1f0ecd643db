/**
 * Webhooks: generic JSON signed with HMAC-SHA256, or Slack-compatible `{ text }`, for requested /
 * approved / activated / denied / revoked / expired / break-glass / irrevocable / expiring. Each
 * delivery is an outbox entry written in the transition's own transaction (one per target and
 * event, with a payload snapshot), carried out by the outbox worker (see webhook-delivery.ts).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { GrantChange } from '../../protocol/broker-api.ts';
import type { GrantRecord } from '../lifecycle/grant-record.ts';
import type { Policy } from '../policy/policy-schema.ts';
import type { WebhookDelivery } from '../store/grant-repository.ts';

/**
 * A webhook event name. `expiring`: the grant ends soon, sent `EXPIRING_LEAD_MS` before its
 * deadline (half its time if shorter).
 */
export const webhookEventSchema = z.enum([
  'requested',
  'approved',
  'activated',
  'denied',
  'revoked',
  'expired',
  'break_glass',
  'irrevocable',
  'expiring',
]);
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

/** One configured webhook (its secret already read from the environment). */
export interface WebhookTarget {
  url: string;
  format: 'json' | 'slack';
  secret?: string | undefined;
  /** Events to send; absent: all. */
  events?: readonly WebhookEvent[] | undefined;
}

/** How long before a deadline `expiring` is sent. */
export const EXPIRING_LEAD_MS = 5 * 60_000;

/** The webhook events a committed transition stands for. */
export function webhookEvents(
  grant: GrantRecord,
  changes: readonly GrantChange[],
  policy: Policy,
): WebhookEvent[] {
  const out: WebhookEvent[] = [];
  for (const change of changes) {
    if (change === 'requested' || change === 'approval_needed') out.push('requested');
    else if (change === 'activated') {
      out.push(grant.approvals.length > 0 ? 'approved' : 'activated');
      if (policy.roles.find((r) => r.name === grant.role)?.breakGlass) out.push('break_glass');
    } else if (change === 'denied' || change === 'revoked' || change === 'expired')
      out.push(change);
    else if (change === 'irrevocable') out.push('irrevocable');
  }
  return [...new Set(out)];
}

/** What an outbox entry of kind `webhook` holds: never a secret (the target is named by a hash). */
export const webhookSnapshotSchema = z.object({
  target: z.string(),
  event: webhookEventSchema,
  at: z.string(),
  who: z.string(),
  grant: z.object({
    id: z.string(),
    role: z.string(),
    requester: z.string(),
    requesterName: z.string().nullable(),
    status: z.string(),
    reason: z.string(),
    ticket: z.string().nullable(),
    expiresAt: z.string().nullable(),
    approvals: z.array(z.string()),
  }),
});

/** A parsed webhook snapshot. */
export type WebhookSnapshot = z.infer<typeof webhookSnapshotSchema>;

/** A target's stable id: a hash of its URL (a Slack URL is itself a secret, so never the URL). */
export function targetId(target: WebhookTarget): string {
  return createHash('sha256').update(target.url).digest('hex').slice(0, 24);
}

function snapshot(target: WebhookTarget, event: WebhookEvent, grant: GrantRecord, at: Date) {
  return {
    target: targetId(target),
    event,
    at: at.toISOString(),
    who: grant.requesterName ?? grant.subject,
    grant: {
      id: grant.id,
      role: grant.role,
      requester: `${grant.issuer}#${grant.subject}`,
      requesterName: grant.requesterName,
      status: grant.status,
      reason: grant.reason,
      ticket: grant.ticket,
      expiresAt: grant.expiresAt,
      approvals: grant.approvals.map((a) => a.by),
    },
  } satisfies WebhookSnapshot;
}

/** When `expiring` is due for a grant ending at `expiresAt`: the lead, or half a shorter time. */
export function expiringAt(expiresAt: string, now: Date): Date {
  const left = Math.max(0, Date.parse(expiresAt) - now.getTime());
  return new Date(now.getTime() + left - Math.min(EXPIRING_LEAD_MS, left / 2));
}

/**
 * The outbox entries a committed transition writes: one per target and event it subscribes to,
 * and an `expiring` entry due at the warning time when the grant's end was set or moved.
 */
export function webhookDeliveries(
  targets: readonly WebhookTarget[],
  grant: GrantRecord,
  changes: readonly GrantChange[],
  policy: Policy,
  at: Date,
): WebhookDelivery[] {
  const timed: [WebhookEvent, Date][] = webhookEvents(grant, changes, policy).map((e) => [e, at]);
  const ends = changes.includes('activated') || changes.includes('extended');
  if (ends && grant.status === 'active' && grant.expiresAt)
    timed.push(['expiring', expiringAt(grant.expiresAt, at)]);
  return targets.flatMap((target) =>
    timed
      .filter(([event]) => !target.events || target.events.includes(event))
      .map(([event, dueAt]) => ({
        grantId: grant.id,
        event,
        // `at` of an `expiring` is its warning time; of the others, the commit.
        payload: JSON.stringify(snapshot(target, event, grant, dueAt)),
        dueAt,
      })),
  );
}
