/** Test fixtures shared by every part's tests: a full broker Grant, overridable per test. */
import type { Grant } from './broker-api.ts';

/** A fixed instant tests count from. */
export const t0 = Date.parse('2030-01-01T00:00:00.000Z');

/** ISO instant `seconds` after t0. */
export const at = (seconds: number): string => new Date(t0 + seconds * 1000).toISOString();

/** A full broker grant: active for 10 minutes from t0 unless overridden. */
export function aGrant(over: Partial<Grant> = {}): Grant {
  return {
    id: 'g1',
    role: 'prod-api-admin',
    subject: 'alice',
    provider: 'jwt',
    status: 'active',
    reason: 'fix',
    ticket: 'INC-1',
    requestedSeconds: 600,
    grantedSeconds: 600,
    createdAt: at(0),
    activatedAt: at(0),
    expiresAt: at(600),
    endedAt: null,
    requestExpiresAt: null,
    requesterName: 'Alice',
    approvalsRequired: 0,
    approverGroups: [],
    approvals: [],
    endedBy: null,
    endReason: null,
    unusedSeconds: null,
    extension: {
      usedCount: 0,
      usedSeconds: 0,
      remainingCount: 2,
      remainingSeconds: 3600,
      maxEachSeconds: 3600,
      requiresApproval: false,
    },
    pendingExtension: null,
    wipe: null,
    wipeState: 'none',
    irrevocableAt: null,
    ...over,
  };
}
