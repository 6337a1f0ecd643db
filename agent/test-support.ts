/** Test fixtures: a full broker Grant, a LocalGrant and a grant-store record, overridable per test. */
import type { AgentSnapshot, Grant, LocalGrant } from '../protocol/index.ts';
import { aGrant } from '../protocol/test-fixtures.ts';
import type { GrantRecord } from './grant-store.ts';

/** A complete active broker grant; `overrides` wins. */
export function grantFixture(overrides: Partial<Grant> = {}): Grant {
  return aGrant({
    role: 'prod-api-readonly',
    reason: 'INC-1',
    ticket: null,
    requestedSeconds: 2400,
    grantedSeconds: 2400,
    expiresAt: '2030-01-01T00:40:00.000Z',
    ...overrides,
  });
}

/** A pending grant waiting for one approval from `approvers`. */
export function pendingGrantFixture(overrides: Partial<Grant> = {}): Grant {
  return grantFixture({
    id: 'g2',
    role: 'prod-api-admin',
    status: 'pending',
    activatedAt: null,
    expiresAt: null,
    requestExpiresAt: '2030-01-01T00:30:00.000Z',
    approvalsRequired: 1,
    approverGroups: ['approvers'],
    ...overrides,
  });
}

/** A LocalGrant: the broker grant plus what this device holds. */
export function localGrantFixture(overrides: Partial<LocalGrant> = {}): LocalGrant {
  return { ...grantFixture(), credentialStored: true, wipedLocallyAt: null, ...overrides };
}

/** A grant-store record of a held secret. */
export function recordFixture(overrides: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id: 'g1',
    role: 'prod-api-readonly',
    provider: 'jwt',
    grantedSeconds: 60,
    expiresAt: '2030-01-01T00:01:00.000Z',
    credentialStored: true,
    wipedAt: null,
    subject: 'alice',
    grant: null,
    receipt: null,
    ...overrides,
  };
}

/** A snapshot of a signed-in alice holding `grants`, with `approvals` waiting for her. */
export function snapshotFixture(
  grants: LocalGrant[],
  approvals: AgentSnapshot['approvals'] = [],
): AgentSnapshot {
  const now = '2030-01-01T00:00:00.000Z';
  return {
    version: 1,
    now,
    status: {
      now,
      loggedIn: true,
      user: { subject: 'alice', issuer: 'https://idp', name: 'Alice', groups: ['engineers'] },
      brokerUrl: 'https://broker',
      issuer: 'https://idp',
      demo: false,
      profile: 'default',
    },
    connection: { state: 'online', message: null, since: now },
    grants,
    approvals,
  };
}
