/**
 * Carries out committed effects from the outbox: provider actions at the target, and webhook
 * deliveries. A failure stays in
 * the outbox row (attempts, last error; the first also as an `effect_failed` audit row) and is
 * retried with jittered exponential backoff.
 */
import type { Clock } from '../ports.ts';
import { runProviderEffect, type ProviderRegistry } from '../credentials/provider.ts';
import type { GrantRepository, OutboxEntry, WebhookEffect } from '../store/grant-repository.ts';
import { WEBHOOK_MAX_ATTEMPTS, type WebhookSender } from '../webhooks/webhook-delivery.ts';
import type { Effect } from './transition-types.ts';

/** Backoff of the first retry. */
export const OUTBOX_RETRY_BASE_MS = 500;
/** The longest wait between retries. */
export const OUTBOX_RETRY_MAX_MS = 5 * 60_000;
/** Failed attempts of a revocation before the alarm is raised (about two minutes of backoff). */
export const IRREVOCABLE_AFTER_ATTEMPTS = 8;
const BATCH = 50;
const MAX_SLEEP_MS = 60_000;

/** Jittered exponential backoff after `attempts` failures: between half and all of base·2^(n-1). */
export function retryDelayMs(attempts: number, random: () => number): number {
  const full = Math.min(OUTBOX_RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1), OUTBOX_RETRY_MAX_MS);
  return Math.round(full / 2 + (full / 2) * random());
}

/** A running (or runnable) outbox worker. */
export interface OutboxWorker {
  /** Carries out every due effect once; returns how many succeeded and failed. */
  runOnce(): Promise<{ done: number; failed: number }>;
  /** Wakes the worker now (after a commit queued effects). */
  kick(): void;
  /** Stops the worker; resolves once a run in flight has recorded its outcomes. */
  stop(): Promise<void>;
}

/** Dependencies of the worker. */
export interface OutboxWorkerDeps {
  repo: GrantRepository;
  providers: ProviderRegistry;
  clock: Clock;
  onError: (error: unknown) => void;
  random?: () => number;
  /**
   * Called once when a revocation has failed `irrevocableAfter` times (default
   * IRREVOCABLE_AFTER_ATTEMPTS): the alarm. Retries go on at the capped backoff.
   */
  onIrrevocable?: (grantId: string, attempts: number, error: string) => Promise<void>;
  /** Called when a revocation that had raised the alarm finally succeeds: the mark is cleared. */
  onRevokedLate?: (grantId: string, attempts: number) => Promise<void>;
  irrevocableAfter?: number;
  /** Delivers webhook entries; absent: they fail (and are given up) as unconfigured. */
  webhooks?: WebhookSender;
  /** Failed attempts before a webhook delivery is given up (default WEBHOOK_MAX_ATTEMPTS). */
  webhookAttempts?: number;
}

async function carryOut(deps: OutboxWorkerDeps, effect: Effect, now: Date): Promise<void> {
  const grant = await deps.repo.findGrant(effect.grantId);
  if (!grant) throw new Error(`grant ${effect.grantId} is gone`);
  const provider = deps.providers.get(grant.provider);
  if (!provider) throw new Error(`no ${grant.provider} provider is configured`);
  await runProviderEffect(provider, effect.action, grant, now);
}

/**
 * Delivers one webhook entry. A failure is retried with the same backoff; after the bound the
 * entry is given up (marked done, its last error kept) with a log line — not an alarm.
 */
async function settleWebhook(
  deps: OutboxWorkerDeps,
  entry: OutboxEntry,
  effect: WebhookEffect,
  now: Date,
  random: () => number,
): Promise<boolean> {
  try {
    if (!deps.webhooks) throw new Error('no webhook sender is configured');
    await deps.webhooks.deliver(effect, now);
    await deps.repo.completeEffect(entry.seq, deps.clock.now());
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : 'unknown failure';
    const retryAt = new Date(now.getTime() + retryDelayMs(entry.attempts + 1, random));
    await deps.repo.failEffect(entry, message, retryAt, now);
    const attempts = entry.attempts + 1;
    if (attempts >= (deps.webhookAttempts ?? WEBHOOK_MAX_ATTEMPTS)) {
      await deps.repo.completeEffect(entry.seq, deps.clock.now());
      deps.onError(
        new Error(
          `gave up the ${effect.event} webhook of grant ${effect.grantId} after ${attempts} attempts: ${message}`,
        ),
      );
    }
    return false;
  }
}

/**
 * Carries out one entry and records the outcome; answers whether it succeeded. A revocation
 * raises the alarm when its failures reach the bound, and ends it when it succeeds after that.
 */
async function settle(
  deps: OutboxWorkerDeps,
  entry: OutboxEntry,
  now: Date,
  random: () => number,
): Promise<boolean> {
  const { effect } = entry;
  if (effect.kind === 'webhook') return settleWebhook(deps, entry, effect, now, random);
  const bound = deps.irrevocableAfter ?? IRREVOCABLE_AFTER_ATTEMPTS;
  const revoke = effect.action === 'revoke';
  const { grantId } = effect;
  try {
    await carryOut(deps, effect, now);
    await deps.repo.completeEffect(entry.seq, deps.clock.now());
    if (revoke && entry.attempts >= bound)
      await Promise.resolve(deps.onRevokedLate?.(grantId, entry.attempts)).catch(deps.onError);
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : 'unknown failure';
    const retryAt = new Date(now.getTime() + retryDelayMs(entry.attempts + 1, random));
    await deps.repo.failEffect(entry, message, retryAt, now);
    const attempts = entry.attempts + 1;
    if (revoke && attempts === bound)
      await Promise.resolve(deps.onIrrevocable?.(grantId, attempts, message)).catch(deps.onError);
    return false;
  }
}

/** Creates the worker; `kick()` starts it, and it re-arms itself for retries. */
export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const random = deps.random ?? Math.random;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();

  const runOnce = async (): Promise<{ done: number; failed: number }> => {
    const now = deps.clock.now();
    let done = 0;
    let failed = 0;
    for (const entry of await deps.repo.dueEffects(now, BATCH)) {
      // Stopping: leave the rest (PostgreSQL: their lease lapses; SQLite: they stay due).
      if (stopped) break;
      if (await settle(deps, entry, now, random)) done += 1;
      else failed += 1;
    }
    return { done, failed };
  };

  const arm = async (): Promise<void> => {
    const next = await deps.repo.nextEffectAt();
    clearTimeout(timer);
    if (stopped || next === null) return;
    const wait = Math.min(Math.max(0, next.getTime() - deps.clock.now().getTime()), MAX_SLEEP_MS);
    timer = setTimeout(kick, wait + 5);
    timer.unref();
  };

  // Many commits in a row kick the worker; one queued run serves them all.
  let queued = false;
  function kick(): void {
    if (stopped || queued) return;
    queued = true;
    running = running
      .then(() => {
        queued = false;
        return runOnce();
      })
      .then(arm)
      .catch((error: unknown) => {
        deps.onError(error);
        clearTimeout(timer);
        if (!stopped) timer = setTimeout(kick, OUTBOX_RETRY_BASE_MS).unref();
      });
  }

  return {
    runOnce,
    kick,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running.catch(() => undefined);
    },
  };
}
