/**
 * Webhooks: generic JSON signed with HMAC-SHA256, or Slack-compatible `{ text }`, for requested /
 * approved / activated / denied / revoked / expired / break-glass / irrevocable. Deliveries queue
 * in memory and retry with backoff; a transition never waits for one. Only the replica that
 * committed a transition sends it (the hook runs where the commit happened).
 */
import { createHmac } from 'node:crypto';
import type { GrantChange } from '../../protocol/broker-api.ts';
import type { GrantRecord } from '../lifecycle/grant-record.ts';
import type { Policy } from '../policy/policy-schema.ts';

/** A webhook event name. */
export type WebhookEvent =
  | 'requested'
  | 'approved'
  | 'activated'
  | 'denied'
  | 'revoked'
  | 'expired'
  | 'break_glass'
  | 'irrevocable'
  /** The grant ends soon: sent `EXPIRING_LEAD_MS` before its deadline (half its time if shorter). */
  | 'expiring';

/** One configured webhook (its secret already read from the environment). */
export interface WebhookTarget {
  url: string;
  format: 'json' | 'slack';
  secret?: string | undefined;
  /** Events to send; absent: all. */
  events?: readonly WebhookEvent[] | undefined;
}

const RETRY_BASE_MS = 500;
/** How long before a deadline `expiring` is sent. */
export const EXPIRING_LEAD_MS = 5 * 60_000;
const ATTEMPTS = 6;

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

function payload(event: WebhookEvent, grant: GrantRecord, at: Date) {
  return {
    event,
    at: at.toISOString(),
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
  };
}

function slackText(event: WebhookEvent, grant: GrantRecord): string {
  const who = grant.requesterName ?? grant.subject;
  const loud = event === 'break_glass' || event === 'irrevocable' ? ':rotating_light: *' : '';
  const what = event === 'break_glass' ? 'BREAK-GLASS' : event.toUpperCase();
  return `${loud}${what}${loud ? '*' : ''} ${grant.role} for ${who} (grant ${grant.id})${grant.ticket ? `, ticket ${grant.ticket}` : ''}: ${grant.reason}`;
}

/** The request a target gets for one event. */
export function webhookRequest(
  target: WebhookTarget,
  event: WebhookEvent,
  grant: GrantRecord,
  at: Date,
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(
    target.format === 'slack' ? { text: slackText(event, grant) } : payload(event, grant, at),
  );
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (target.secret) {
    const timestamp = String(Math.floor(at.getTime() / 1000));
    const mac = createHmac('sha256', target.secret).update(`${timestamp}.${body}`).digest('hex');
    headers['x-hourglass-timestamp'] = timestamp;
    headers['x-hourglass-signature'] = `sha256=${mac}`;
  }
  return { body, headers };
}

/** A dispatcher: `send` queues and returns at once. */
export interface WebhookDispatcher {
  send(grant: GrantRecord, changes: readonly GrantChange[]): void;
  /** Resolves when nothing is queued or in flight (tests, shutdown). */
  idle(): Promise<void>;
  stop(): void;
}

/** Starts a dispatcher for `targets`; failures after the last retry go to `onError`. */
export function createWebhookDispatcher(
  targets: readonly WebhookTarget[],
  policy: () => Policy,
  onError: (error: unknown) => void,
): WebhookDispatcher {
  let inFlight = 0;
  let stopped = false;
  // One `expiring` timer per live grant, on the replica that committed its latest deadline.
  const expiring = new Map<string, NodeJS.Timeout>();
  let waiters: (() => void)[] = [];
  const settle = () => {
    if (inFlight > 0) return;
    for (const resolve of waiters.splice(0)) resolve();
  };
  const deliver = async (
    target: WebhookTarget,
    request: { body: string; headers: Record<string, string> },
  ) => {
    for (let attempt = 1; attempt <= ATTEMPTS && !stopped; attempt += 1) {
      try {
        const res = await fetch(target.url, {
          method: 'POST',
          ...request,
          signal: AbortSignal.timeout(5000),
        });
        await res.arrayBuffer();
        if (res.ok) return;
        if (attempt === ATTEMPTS)
          throw new Error(`webhook ${new URL(target.url).host} answered ${res.status}`);
      } catch (error) {
        if (attempt === ATTEMPTS) throw error;
      }
      await new Promise((resolve) =>
        setTimeout(resolve, RETRY_BASE_MS * 2 ** (attempt - 1)).unref(),
      );
    }
  };
  const dispatch = (event: WebhookEvent, grant: GrantRecord, at: Date) => {
    for (const target of targets) {
      if (target.events && !target.events.includes(event)) continue;
      inFlight += 1;
      deliver(target, webhookRequest(target, event, grant, at))
        .catch(onError)
        .finally(() => {
          inFlight -= 1;
          settle();
        });
    }
  };
  const armExpiring = (grant: GrantRecord, now: Date) => {
    clearTimeout(expiring.get(grant.id));
    expiring.delete(grant.id);
    if (grant.status !== 'active' || !grant.expiresAt || targets.length === 0) return;
    const left = Date.parse(grant.expiresAt) - now.getTime();
    const timer = setTimeout(
      () => {
        expiring.delete(grant.id);
        if (!stopped) dispatch('expiring', grant, new Date());
      },
      Math.max(0, left - Math.min(EXPIRING_LEAD_MS, left / 2)),
    );
    timer.unref();
    expiring.set(grant.id, timer);
  };
  return {
    send(grant, changes) {
      if (stopped) return;
      const at = new Date();
      armExpiring(grant, at);
      for (const event of webhookEvents(grant, changes, policy())) {
        dispatch(event, grant, at);
      }
    },
    idle: () =>
      inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve)),
    stop: () => {
      stopped = true;
      waiters = [];
      for (const timer of expiring.values()) clearTimeout(timer);
      expiring.clear();
    },
  };
}
