/** Server-side expiry: finds due grants through the deadline index and expires each via the lifecycle. */
import type { GrantRepository } from '../store/grant-repository.ts';
import type { GrantService } from './grant-service.ts';

/** Longest single sleep, so a long timer never overflows and clock jumps are caught. */
export const MAX_SLEEP_MS = 60_000;
/** Grants handled per run; a full batch runs again at once. */
export const EXPIRY_BATCH = 100;

/** What one expiry run did, and how long to sleep until the next deadline (null: none ahead). */
export interface ExpiryRun {
  due: string[];
  sleepMs: number | null;
}

/**
 * Expires every active grant past its deadline and every pending request past its request
 * deadline, and drops lapsed pending extensions; each with its audit record and event.
 */
export async function expireDueGrants(
  repo: GrantRepository,
  service: GrantService,
  now: Date,
  /** Told how late (seconds after its deadline) each grant was expired, for metrics. */
  onExpired?: (latenessSeconds: number) => void,
): Promise<ExpiryRun> {
  const due = await repo.findDue(now, EXPIRY_BATCH);
  for (const id of due) {
    // A refusal means another writer already ended it (or moved its deadline): nothing to do.
    const result = await service.apply(id, { kind: 'expire' }, { kind: 'broker' });
    if (onExpired && result.ok && result.grant.status === 'expired' && result.grant.endedAt)
      onExpired(Math.max(0, (result.at.getTime() - Date.parse(result.grant.endedAt)) / 1000));
  }
  if (due.length === EXPIRY_BATCH) return { due, sleepMs: 0 };
  const next = await repo.nextDeadline();
  if (next === null) return { due, sleepMs: null };
  // A deadline still at or before now was refused above (it cannot act on it yet): look again soon.
  const wait = next.getTime() - now.getTime();
  return { due, sleepMs: wait <= 0 ? 1000 : Math.min(wait, MAX_SLEEP_MS) };
}
