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
import { CLAIM_LEASE_MS, CLAIM_RENEW_MS } from '../store/store-dialect.ts';
import type { GrantRecord } from './grant-record.ts';
import { GrantNotLiveError, isLiveAt } from './grant-liveness.ts';
import type { Effect } from './transition-types.ts';

/** Backoff of the first retry. */
export const OUTBOX_RETRY_BASE_MS = 500;
/** The longest wait between retries. */
export const OUTBOX_RETRY_MAX_MS = 5 * 60_000;
/** Failed attempts of a revocation before the alarm is raised (about two minutes of backoff). */
export const IRREVOCABLE_AFTER_ATTEMPTS = 8;
/** How long one run starts new entries of its batch; the rest wait for the next run. */
const BATCH_TIME_MS = 15_000;
/** Entries claimed (and completed) per statement. */
const BATCH = 500;
/** Entries carried out at once within a batch (PostgreSQL: overlapping round trips). */
const CONCURRENCY = 16;
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

/**
 * Carries out one provider effect. An issuing effect (issue, reissue) reads its grant again at the
 * moment it acts and does nothing unless the grant is still live (active, deadline ahead): its
 * claim may be older than the grant's end (a lease after a crash, a retry). A provider that checks
 * again under its own lock at the target throws GrantNotLiveError; both end as `effect_skipped`.
 * A revoke always acts: the claim order (store-dialect.ts, dueHeads) runs it only after every
 * earlier effect of its grant has ended, so a revoke that finds nothing leaves nothing behind.
 */
async function carryOut(
  deps: OutboxWorkerDeps,
  entry: OutboxEntry,
  effect: Effect,
  grant: GrantRecord | undefined,
  now: Date,
): Promise<void> {
  if (!grant) throw new Error(`grant ${effect.grantId} is gone`);
  const provider = deps.providers.get(grant.provider);
  if (!provider) throw new Error(`no ${grant.provider} provider is configured`);
  if (effect.action === 'revoke') return runProviderEffect(provider, 'revoke', grant, now);
  const current = await deps.repo.findGrant(effect.grantId);
  const at = deps.clock.now();
  if (!isLiveAt(current, at)) return recordSkipped(deps, entry, effect, current ?? grant, at);
  try {
    await runProviderEffect(provider, effect.action, current, at);
  } catch (error) {
    if (!(error instanceof GrantNotLiveError)) throw error;
    await recordSkipped(deps, entry, effect, current, deps.clock.now());
  }
}

/** Records that an issuing effect found its grant ended and did nothing at the target. */
async function recordSkipped(
  deps: OutboxWorkerDeps,
  entry: OutboxEntry,
  effect: Effect,
  grant: GrantRecord,
  now: Date,
): Promise<void> {
  await deps.repo.recordAudit({
    at: now,
    event: 'effect_skipped',
    grantId: effect.grantId,
    actor: 'broker',
    role: grant.role,
    details: {
      action: effect.action,
      outbox: entry.seq,
      status: grant.status,
      expiresAt: grant.expiresAt,
      why: 'grant no longer live when the effect came to act',
    },
  });
}

/** Records a failed attempt on its entry (retry after the jittered backoff); answers the count. */
async function recordFailure(
  deps: OutboxWorkerDeps,
  entry: OutboxEntry,
  error: unknown,
  now: Date,
  random: () => number,
): Promise<{ message: string; attempts: number }> {
  const message = error instanceof Error ? error.message : 'unknown failure';
  const retryAt = new Date(now.getTime() + retryDelayMs(entry.attempts + 1, random));
  await deps.repo.failEffect(entry, message, retryAt, now);
  return { message, attempts: entry.attempts + 1 };
}

/**
 * Delivers one webhook entry. A failure is retried with the same backoff; after the bound the
 * entry is given up (marked done, its last error kept) with a log line — not an alarm.
 */
async function tryWebhook(
  deps: OutboxWorkerDeps,
  entry: OutboxEntry,
  effect: WebhookEffect,
  now: Date,
  random: () => number,
): Promise<boolean> {
  try {
    if (!deps.webhooks) throw new Error('no webhook sender is configured');
    await deps.webhooks.deliver(effect, now);
    return true;
  } catch (error) {
    const { message, attempts } = await recordFailure(deps, entry, error, now, random);
    if (attempts >= (deps.webhookAttempts ?? WEBHOOK_MAX_ATTEMPTS)) {
      await deps.repo.completeEffects([entry.seq], deps.clock.now());
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
 * Carries out one entry; answers whether it succeeded (the caller marks successes done in one
 * statement). A failure is recorded at once, and a revocation raises the alarm when its
 * failures reach the bound.
 */
async function tryEntry(
  deps: OutboxWorkerDeps,
  entry: OutboxEntry,
  grants: ReadonlyMap<string, GrantRecord>,
  now: Date,
  random: () => number,
): Promise<boolean> {
  const { effect } = entry;
  if (effect.kind === 'webhook') return tryWebhook(deps, entry, effect, now, random);
  try {
    await carryOut(deps, entry, effect, grants.get(effect.grantId), now);
    return true;
  } catch (error) {
    const { message, attempts } = await recordFailure(deps, entry, error, now, random);
    if (effect.action === 'revoke' && attempts === irrevocableBound(deps))
      await Promise.resolve(deps.onIrrevocable?.(effect.grantId, attempts, message)).catch(
        deps.onError,
      );
    return false;
  }
}

const irrevocableBound = (deps: OutboxWorkerDeps) =>
  deps.irrevocableAfter ?? IRREVOCABLE_AFTER_ATTEMPTS;

/** Runs `fn` over `items` with at most `limit` in flight, in order of start. */
async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let item = items[next]; item !== undefined; item = items[next]) {
      next += 1;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * One batch: claims due entries and reads their grants (one statement each), carries them out
 * with bounded concurrency, marks the successes done in one statement, then ends the alarm of
 * revocations that succeeded after it was raised.
 */
async function runBatch(
  deps: OutboxWorkerDeps,
  random: () => number,
  stopped: () => boolean,
): Promise<{ done: number; failed: number }> {
  const now = deps.clock.now();
  const entries = await deps.repo.dueEffects(now, BATCH);
  const ids = entries.flatMap(({ effect }) => (effect.kind === 'provider' ? [effect.grantId] : []));
  const grants = new Map((await deps.repo.findGrants([...new Set(ids)])).map((g) => [g.id, g]));
  const succeeded: OutboxEntry[] = [];
  let failed = 0;
  const started = performance.now();
  // The lease is short so that a broker killed mid-effect leaves its entries due again within
  // seconds (everything due is revoked soon after a restart); while this run still holds an entry
  // it renews the lease, so no other replica takes an effect that is being carried out.
  const held = new Set(entries.map((entry) => entry.seq));
  const renew = setInterval(() => {
    const until = new Date(deps.clock.now().getTime() + CLAIM_LEASE_MS);
    deps.repo.renewClaims([...held], until).catch(deps.onError);
  }, CLAIM_RENEW_MS);
  try {
    await forEachLimit(entries, CONCURRENCY, async (entry) => {
      // Stopping, or slow targets used up the run's time: leave the rest unstarted
      // (PostgreSQL: their lease lapses, then any replica takes them; SQLite: they stay due).
      if (stopped() || performance.now() - started > BATCH_TIME_MS) {
        held.delete(entry.seq);
        return;
      }
      if (await tryEntry(deps, entry, grants, now, random)) succeeded.push(entry);
      else {
        // Its failure set its retry time: no longer held.
        held.delete(entry.seq);
        failed += 1;
      }
    });
  } finally {
    clearInterval(renew);
  }
  await deps.repo.completeEffects(
    succeeded.map((entry) => entry.seq),
    deps.clock.now(),
  );
  for (const { effect, attempts } of succeeded)
    if (
      effect.kind === 'provider' &&
      effect.action === 'revoke' &&
      attempts >= irrevocableBound(deps)
    )
      await Promise.resolve(deps.onRevokedLate?.(effect.grantId, attempts)).catch(deps.onError);
  return { done: succeeded.length, failed };
}

/** Creates the worker; `kick()` starts it, and it re-arms itself for retries. */
export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const random = deps.random ?? Math.random;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();

  const runOnce = () => runBatch(deps, random, () => stopped);

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
