/**
 * Whether a grant may have access at its target right now: active, with its deadline ahead. An
 * issuing effect (create, extend) and a credential fetch act at the target only while this holds,
 * checked at the moment they act (issue 18: a create that ran after its grant ended left a login
 * role behind for good). Pure.
 */
import type { GrantRecord } from './grant-record.ts';

/** True while `grant` is active and its deadline is after `now`. */
export function isLiveAt(grant: GrantRecord | undefined, now: Date): grant is GrantRecord {
  return (
    grant !== undefined &&
    grant.status === 'active' &&
    grant.expiresAt !== null &&
    Date.parse(grant.expiresAt) > now.getTime()
  );
}

/**
 * Thrown by a provider that re-checked liveness at the target (under its lock) and found the grant
 * ended: it did nothing, and the worker records the effect as skipped rather than failed.
 */
export class GrantNotLiveError extends Error {
  constructor(grantId: string) {
    super(`grant ${grantId} is no longer live; nothing was created at the target`);
    this.name = 'GrantNotLiveError';
  }
}
