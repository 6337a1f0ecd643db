/**
 * Test fixtures: full Grant / LocalGrant / PendingApproval / AgentSnapshot values and a fake
 * renderer API, so tests state only the fields they care about. Used by renderer, electron and
 * console tests; never imported by production code.
 */
import type {
  AgentNotice,
  AgentSnapshot,
  AgentStatus,
  LocalGrant,
  RendererApi,
} from '../protocol/agent-api.ts';
import type { Grant, PendingApproval, RoleSummary } from '../protocol/broker-api.ts';
import { ok } from '../protocol/result.ts';

import { aGrant, at, t0 } from '../protocol/test-fixtures.ts';

export { aGrant, at, t0 };

/** A full local grant (broker grant plus device state). */
export function aLocalGrant(over: Partial<LocalGrant> = {}): LocalGrant {
  return { ...aGrant(over), credentialStored: true, wipedLocallyAt: null, ...over };
}

/** A pending grant waiting for one approval from `approvers`. */
export function aPendingGrant(over: Partial<LocalGrant> = {}): LocalGrant {
  return aLocalGrant({
    status: 'pending',
    activatedAt: null,
    expiresAt: null,
    requestExpiresAt: at(1800),
    approvalsRequired: 1,
    approverGroups: ['approvers'],
    credentialStored: false,
    ...over,
  });
}

/** A request waiting for the caller's decision. */
export function anApproval(over: Partial<Grant> = {}): PendingApproval {
  const grant = aGrant({
    id: 'g9',
    subject: 'carol',
    requesterName: 'Carol',
    status: 'pending',
    activatedAt: null,
    expiresAt: null,
    requestExpiresAt: at(1800),
    approvalsRequired: 1,
    approverGroups: ['approvers'],
    ...over,
  });
  return {
    kind: 'request',
    grant,
    durationSeconds: grant.requestedSeconds,
    waitsUntil: grant.requestExpiresAt ?? at(1800),
  };
}

/** A signed-in status for alice. */
export function aStatus(over: Partial<AgentStatus> = {}): AgentStatus {
  return {
    now: at(0),
    loggedIn: true,
    user: { subject: 'alice', issuer: 'i', name: 'Alice', groups: ['engineers'] },
    brokerUrl: 'http://broker.test',
    issuer: 'http://idp.test',
    demo: true,
    profile: 'default',
    ...over,
  };
}

/** A full snapshot: online, alice signed in, no grants unless given. */
export function aSnapshot(over: Partial<AgentSnapshot> = {}): AgentSnapshot {
  return {
    version: 1,
    now: at(0),
    status: aStatus(),
    connection: { state: 'online', message: null, since: at(0) },
    grants: [],
    approvals: [],
    ...over,
  };
}

/** A notice about grant g1. */
export function aNotice(over: Partial<AgentNotice> = {}): AgentNotice {
  return {
    id: 'n1',
    kind: 'expiring',
    grantId: 'g1',
    role: 'prod-api-admin',
    title: 'prod-api-admin ends in 2 minutes',
    body: 'Extend it if you still need it.',
    actions: ['extend'],
    at: at(480),
    ...over,
  };
}

/** A role summary. */
export function aRole(over: Partial<RoleSummary> = {}): RoleSummary {
  return {
    name: 'prod-api-readonly',
    description: 'Read-only',
    provider: 'jwt',
    maxDurationSeconds: 3600,
    approvalsRequired: 0,
    approverGroups: [],
    reasonRequired: true,
    tenant: 'demo',
    extension: { maxCount: 3, maxTotalSeconds: 14_400, requiresApproval: false },
    ...over,
  };
}

/** A renderer API answering fixed, contract-shaped values; override any method. */
export function fakeRendererApi(over: Partial<RendererApi> = {}): RendererApi {
  const snapshot = aSnapshot({ grants: [aLocalGrant()] });
  const grant = aLocalGrant();
  return {
    getStatus: () => Promise.resolve(ok(aStatus())),
    beginLogin: () =>
      Promise.resolve(ok({ loginId: 'l1', authorizationUrl: 'https://idp.test/auth' })),
    awaitLogin: () => Promise.resolve(ok({ user: { subject: 'alice', issuer: 'i', groups: [] } })),
    logout: () => Promise.resolve(ok({ wiped: 0, grantsEnded: 0, endSessionUrl: null })),
    listRoles: () => Promise.resolve(ok({ now: at(0), roles: [aRole()] })),
    requestGrant: () => Promise.resolve(ok({ grant })),
    listGrants: () => Promise.resolve(ok({ now: at(0), grants: [grant] })),
    getSnapshot: () => Promise.resolve(ok(snapshot)),
    extendGrant: () => Promise.resolve(ok({ grant })),
    revokeGrant: () => Promise.resolve(ok({ grant })),
    cancelGrant: () => Promise.resolve(ok({ grant })),
    listApprovals: () => Promise.resolve(ok({ now: at(0), approvals: [] })),
    approveGrant: () => Promise.resolve(ok({ grant })),
    denyGrant: () => Promise.resolve(ok({ grant })),
    recheck: () => Promise.resolve(ok({ wiped: 0 })),
    ...over,
  };
}
