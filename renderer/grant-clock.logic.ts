/** Countdown math for grants: the broker is the time authority, the local clock only ticks. Pure. */
import type { LocalGrant } from '../protocol/agent-api.ts';

/** Milliseconds to add to the local clock to get the broker's clock. */
export function clockOffsetMs(serverNowIso: string, localReceivedAtMs: number): number {
  const server = Date.parse(serverNowIso);
  return Number.isFinite(server) ? server - localReceivedAtMs : 0;
}

/** Whole seconds left before `expiresAt`, measured on the broker's clock; 0 once past. */
export function remainingSeconds(
  expiresAtIso: string,
  localNowMs: number,
  offsetMs: number,
): number {
  const expires = Date.parse(expiresAtIso);
  if (!Number.isFinite(expires)) return 0;
  return Math.max(0, Math.floor((expires - (localNowMs + offsetMs)) / 1000));
}

/** A grant the UI shows, with its countdown already computed. */
export interface VisibleGrant {
  grant: LocalGrant;
  /** Seconds left for an active grant; null while pending. */
  secondsLeft: number | null;
}

/**
 * Grants worth showing now: active ones that have time left (soonest deadline first), then
 * pending ones (oldest first). Expired, denied and revoked grants drop out.
 */
export function visibleGrants(
  grants: readonly LocalGrant[],
  localNowMs: number,
  offsetMs: number,
): VisibleGrant[] {
  const active: VisibleGrant[] = [];
  const pending: VisibleGrant[] = [];
  for (const grant of grants) {
    if (grant.status === 'pending') pending.push({ grant, secondsLeft: null });
    if (grant.status !== 'active' || grant.expiresAt === null) continue;
    const secondsLeft = remainingSeconds(grant.expiresAt, localNowMs, offsetMs);
    if (secondsLeft > 0) active.push({ grant, secondsLeft });
  }
  active.sort(
    (a, b) => (a.secondsLeft ?? 0) - (b.secondsLeft ?? 0) || a.grant.id.localeCompare(b.grant.id),
  );
  pending.sort((a, b) => a.grant.createdAt.localeCompare(b.grant.createdAt));
  return [...active, ...pending];
}
