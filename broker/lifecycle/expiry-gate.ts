/**
 * Routes sweep due grants before they act (so a grant past its deadline never counts as live).
 * The gate skips that sweep while the earliest known deadline is still ahead: it learns the next
 * deadline from each sweep and every commit that sets a deadline. Replicas on PostgreSQL learn
 * only their own commits; another replica's grants are expired by that replica's scheduler.
 */
import type { Clock } from '../ports.ts';
import type { ExpiryRun } from './expire-grants.ts';

/** A gate in front of the expiry sweep. */
export interface ExpiryGate {
  /** A commit set this deadline (ISO), or null. */
  note(deadline: string | null): void;
  /** Sweeps now, learning the next deadline. */
  sweep(now: Date): Promise<ExpiryRun>;
  /** Sweeps only when a known deadline has come. */
  sweepIfDue(): Promise<void>;
}

/** Wraps `run` (expireDueGrants bound to the repository and service). */
export function expiryGate(run: (now: Date) => Promise<ExpiryRun>, clock: Clock): ExpiryGate {
  // Unknown at first: the first call sweeps.
  let earliest = Number.NEGATIVE_INFINITY;
  const sweep = async (now: Date): Promise<ExpiryRun> => {
    const result = await run(now);
    // sleepMs is capped (and 1 s for a deadline it could not act on yet): a safe lower bound.
    earliest = result.sleepMs === null ? Number.POSITIVE_INFINITY : now.getTime() + result.sleepMs;
    return result;
  };
  return {
    note(deadline) {
      if (deadline !== null) earliest = Math.min(earliest, Date.parse(deadline));
    },
    sweep,
    async sweepIfDue() {
      const now = clock.now();
      if (now.getTime() < earliest) return;
      await sweep(now);
    },
  };
}
