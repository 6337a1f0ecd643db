/** Pure deadline planning: which warnings and wipes are due now, and when the next one is. */

/** What the planner needs to know about a locally held grant. */
export interface DeadlineGrant {
  id: string;
  /** The broker's `expiresAt` (broker clock). */
  expiresAt: string;
  /** Whether the grant's secret has already been wiped locally. */
  wiped: boolean;
}

/** One thing the scheduler must do, at a local-clock instant (epoch ms). */
export type DeadlineAction =
  | { kind: 'warn'; grantId: string; at: number; beforeSeconds: number; deadline: number }
  | { kind: 'wipe'; grantId: string; at: number };

/** The plan: actions due now, and the earliest future action (to arm one timer for). */
export interface DeadlinePlan {
  due: DeadlineAction[];
  next: DeadlineAction | null;
}

/**
 * Local deadline of a broker instant. `offsetMs` is broker clock minus local clock, measured from
 * each broker response's `now`, so the local deadline is the broker's minus the offset.
 */
export function localDeadline(expiresAt: string, offsetMs: number): number {
  return Date.parse(expiresAt) - offsetMs;
}

function actionsFor(
  grant: DeadlineGrant,
  now: number,
  offsetMs: number,
  warnBeforeSeconds: readonly number[],
): { due: DeadlineAction[]; future: DeadlineAction[] } {
  const deadline = localDeadline(grant.expiresAt, offsetMs);
  if (!Number.isFinite(deadline))
    return { due: [{ kind: 'wipe', grantId: grant.id, at: now }], future: [] };
  const wipe: DeadlineAction = { kind: 'wipe', grantId: grant.id, at: deadline };
  if (deadline <= now) return { due: [wipe], future: [] };
  const marks = [...new Set(warnBeforeSeconds)].filter((s) => s > 0).sort((a, b) => b - a);
  const warns = marks.map((beforeSeconds): DeadlineAction => ({
    kind: 'warn',
    grantId: grant.id,
    at: deadline - beforeSeconds * 1000,
    beforeSeconds,
    deadline,
  }));
  // Only the most imminent passed mark is due: nobody wants a "10 min left" warning at 1 min left.
  const passed = warns.filter((w) => w.at <= now);
  const due = passed.length > 0 ? [passed[passed.length - 1]!] : [];
  return { due, future: [...warns.filter((w) => w.at > now), wipe] };
}

/** Plans warnings and wipes for every grant still holding a secret. */
export function planDeadlines(
  grants: readonly DeadlineGrant[],
  now: number,
  offsetMs: number,
  warnBeforeSeconds: readonly number[],
): DeadlinePlan {
  const due: DeadlineAction[] = [];
  let next: DeadlineAction | null = null;
  for (const grant of grants) {
    if (grant.wiped) continue;
    const planned = actionsFor(grant, now, offsetMs, warnBeforeSeconds);
    due.push(...planned.due);
    for (const action of planned.future) if (!next || action.at < next.at) next = action;
  }
  due.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'wipe' ? -1 : 1));
  return { due, next };
}

/**
 * The minimum remaining lifetime for handing out a credential: `minSeconds`, but at most a quarter of
 * the granted duration so that very short grants can still be used at all.
 */
export function exportWindowSeconds(grantedSeconds: number, minSeconds: number): number {
  return Math.min(minSeconds, Math.floor(grantedSeconds / 4));
}
