/** Server-side expiry: finds due grants through the deadline index and expires each via the lifecycle. */
import type { GrantRepository } from '../store/grant-repository.ts';
import type { GrantService } from './grant-service.ts';

/** Longest single sleep, so a long timer never overflows and clock jumps are caught. */
export const MAX_SLEEP_MS = 60_000;
/** Grants claimed per transaction; a full batch runs again at once. */
export const EXPIRY_BATCH = 500;

/** What one expiry run did, and how long to sleep until the next deadline (null: none ahead). */
export interface ExpiryRun {
  due: string[];
  sleepMs: number | null;
}

/**
 * Expires every active grant past its deadline and every pending request past its request
 * deadline, and drops lapsed pending extensions; each with its audit record and event. One
 * transaction per batch of due grants (bulk statements, one audit chain append).
 */
export async function expireDueGrants(
  repo: GrantRepository,
  service: GrantService,
  now: Date,
  /** Told how late (seconds after its deadline, until the commit) each grant was expired, for metrics. */
  onExpired?: (latenessSeconds: number) => void,
): Promise<ExpiryRun> {
  const batch = await service.expireDue(now, EXPIRY_BATCH);
  if (onExpired) {
    const committed = batch.committedAt.getTime();
    for (const grant of batch.expired)
      if (grant.status === 'expired' && grant.endedAt)
        onExpired(Math.max(0, (committed - Date.parse(grant.endedAt)) / 1000));
  }
  const due = batch.expired.map((grant) => grant.id);
  // A full batch that moved something: more may be due. (One whose grants were all refused must
  // not spin: it falls through to the wait below.)
  if (batch.claimed === EXPIRY_BATCH && due.length > 0) return { due, sleepMs: 0 };
  const next = await repo.nextDeadline();
  if (next === null) return { due, sleepMs: null };
  // A deadline still at or before now was refused above, or another replica holds it: look again soon.
  const wait = next.getTime() - now.getTime();
  return { due, sleepMs: wait <= 0 ? 1000 : Math.min(wait, MAX_SLEEP_MS) };
}
