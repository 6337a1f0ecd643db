/**
 * Carries out one webhook outbox entry: signs and posts its snapshot to the target it names. An
 * `expiring` entry is skipped when the grant is no longer active or its deadline moved since.
 */
import { createHmac } from 'node:crypto';
import type { GrantRecord } from '../lifecycle/grant-record.ts';
import type { WebhookEffect } from '../store/grant-repository.ts';
import { slackMessage } from './slack-message.ts';
import {
  targetId,
  webhookSnapshotSchema,
  type WebhookSnapshot,
  type WebhookTarget,
} from './webhooks.ts';

/** Failed attempts of one delivery before it is given up (about four minutes of backoff). */
export const WEBHOOK_MAX_ATTEMPTS = 10;
const TIMEOUT_MS = 5000;

/** The request a target gets for a snapshot, signed (when it has a secret) at `sentAt`. */
export function webhookRequest(
  target: WebhookTarget,
  snap: WebhookSnapshot,
  sentAt: Date,
): { body: string; headers: Record<string, string> } {
  const { event, at, grant } = snap;
  const body = JSON.stringify(
    target.format === 'slack' ? slackMessage(snap) : { event, at, grant },
  );
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (target.secret) {
    const timestamp = String(Math.floor(sentAt.getTime() / 1000));
    const mac = createHmac('sha256', target.secret).update(`${timestamp}.${body}`).digest('hex');
    headers['x-hourglass-timestamp'] = timestamp;
    headers['x-hourglass-signature'] = `sha256=${mac}`;
  }
  return { body, headers };
}

/** What became of a delivery that did not fail. */
export type DeliveryOutcome = 'sent' | 'skipped';

/** Delivers stored webhook entries to the configured targets. */
export interface WebhookSender {
  /** Sends `effect`; throws (a message naming only the host) when the target did not take it. */
  deliver(effect: WebhookEffect, now: Date): Promise<DeliveryOutcome>;
}

/** Whether an `expiring` warning no longer applies: the grant ended, or its deadline moved. */
function staleExpiring(snap: WebhookSnapshot, grant: GrantRecord | undefined): boolean {
  return grant?.status !== 'active' || grant.expiresAt !== snap.grant.expiresAt;
}

/** A sender for `targets`; `findGrant` reads the grant's current state for `expiring`. */
export function createWebhookSender(
  targets: readonly WebhookTarget[],
  findGrant: (id: string) => Promise<GrantRecord | undefined>,
): WebhookSender {
  const byId = new Map(targets.map((target) => [targetId(target), target]));
  return {
    async deliver(effect, now) {
      const parsed = webhookSnapshotSchema.safeParse(JSON.parse(effect.payload));
      if (!parsed.success) throw new Error('webhook outbox entry holds no valid snapshot');
      const snap = parsed.data;
      // A target removed from the configuration since: nothing to send to.
      const target = byId.get(snap.target);
      if (!target) return 'skipped';
      if (snap.event === 'expiring' && staleExpiring(snap, await findGrant(effect.grantId)))
        return 'skipped';
      const host = new URL(target.url).host;
      const res = await fetch(target.url, {
        method: 'POST',
        ...webhookRequest(target, snap, now),
        // Threat (issue 18, finding 8): following a redirect replays the signed POST to a URL
        // the configuration never named. A 3xx is a failed delivery, never followed.
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      }).catch((error: unknown) => {
        const why = error instanceof Error ? error.message : 'failed';
        throw new Error(`webhook ${host}: ${why}`);
      });
      await res.arrayBuffer();
      if (res.status >= 300 && res.status < 400)
        throw new Error(
          `webhook ${host} answered ${res.status}, a redirect; webhooks never follow redirects: configure the final URL`,
        );
      if (!res.ok) throw new Error(`webhook ${host} answered ${res.status}`);
      return 'sent';
    },
  };
}
