/** Pure expiry planning: which active grants are past their deadline, and when the next one is due. */

/** What the planner needs to know about an active grant. */
export interface ActiveDeadline {
  id: string;
  expiresAt: Date;
}

/** The plan for one scheduler tick. */
export interface ExpiryPlan {
  /** Grants whose deadline is at or before `now`: expire them now. */
  due: string[];
  /** Milliseconds until the next deadline, or null when nothing is pending. */
  sleepMs: number | null;
}

/** Longest single sleep, so a long timer never overflows and clock jumps are caught. */
export const MAX_SLEEP_MS = 60_000;

/** Splits active grants into due-now and the wait until the next deadline. */
export function planExpiry(active: readonly ActiveDeadline[], now: Date): ExpiryPlan {
  const due: string[] = [];
  let next: number | null = null;
  for (const grant of active) {
    const at = grant.expiresAt.getTime();
    if (at <= now.getTime()) due.push(grant.id);
    else next = next === null ? at : Math.min(next, at);
  }
  const sleepMs = next === null ? null : Math.min(next - now.getTime(), MAX_SLEEP_MS);
  return { due, sleepMs };
}
