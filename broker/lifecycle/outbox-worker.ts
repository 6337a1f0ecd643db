/**
 * Carries out committed effects from the outbox: provider actions at the target. A failure stays in
 * the outbox row (attempts, last error; the first also as an `effect_failed` audit row) and is
 * retried with jittered exponential backoff.
 */
import type { Clock } from '../ports.ts';
import { runProviderEffect, type ProviderRegistry } from '../credentials/provider.ts';
import type { GrantRepository, OutboxEntry } from '../store/grant-repository.ts';

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
  stop(): void;
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
}

async function carryOut(deps: OutboxWorkerDeps, entry: OutboxEntry, now: Date): Promise<void> {
  const grant = await deps.repo.findGrant(entry.effect.grantId);
  if (!grant) throw new Error(`grant ${entry.effect.grantId} is gone`);
  const provider = deps.providers.get(grant.provider);
  if (!provider) throw new Error(`no ${grant.provider} provider is configured`);
  await runProviderEffect(provider, entry.effect.action, grant, now);
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
  const bound = deps.irrevocableAfter ?? IRREVOCABLE_AFTER_ATTEMPTS;
  const revoke = entry.effect.action === 'revoke';
  const { grantId } = entry.effect;
  try {
    await carryOut(deps, entry, now);
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
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
