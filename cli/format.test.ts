import { describe, expect, it } from 'vitest';
import type { LocalGrant } from '../protocol/index.ts';
import { formatRequested, formatStatus, secondsLeft } from './format.ts';

const grant: LocalGrant = {
  id: 'g1',
  role: 'prod-api-readonly',
  subject: 'alice',
  provider: 'jwt',
  status: 'active',
  reason: 'INC-1',
  ticket: null,
  requestedSeconds: 2400,
  grantedSeconds: 2400,
  createdAt: '2030-01-01T00:00:00.000Z',
  activatedAt: '2030-01-01T00:00:00.000Z',
  expiresAt: '2030-01-01T00:40:00.000Z',
  endedAt: null,
  requestExpiresAt: null,
  credentialStored: true,
};

describe('request output', () => {
  it('states what the broker granted and what is left on its clock', () => {
    const text = formatRequested(grant, '2030-01-01T00:00:01.500Z');
    expect(text).toContain('granted 40m, 39m 58s left (until 2030-01-01T00:40:00.000Z)');
    expect(text).toContain('eval "$(hourglass env prod-api-readonly)"');
  });

  it('says a pending grant waits for approval', () => {
    expect(formatRequested({ ...grant, status: 'pending', expiresAt: null }, grant.createdAt)).toBe(
      'grant g1 pending: prod-api-readonly, waiting for approval\n',
    );
  });

  it('never counts below zero', () => {
    expect(secondsLeft('2030-01-01T00:00:00.000Z', '2030-01-01T00:00:05.000Z')).toBe(0);
    expect(secondsLeft(null, '2030-01-01T00:00:05.000Z')).toBe(0);
  });

  it('status shows a pending request with the time its request has left', () => {
    const pending = {
      ...grant,
      id: 'g2',
      role: 'prod-api-admin',
      status: 'pending' as const,
      activatedAt: null,
      expiresAt: null,
      requestExpiresAt: '2030-01-01T00:30:00.000Z',
      credentialStored: false,
    };
    const text = formatStatus(
      {
        now: '2030-01-01T00:00:00.000Z',
        loggedIn: true,
        user: { subject: 'alice', issuer: 'https://idp', name: 'Alice', groups: [] },
        brokerUrl: 'https://broker',
        issuer: 'https://idp',
        demo: false,
      },
      [grant, pending],
    );
    expect(text).toMatch(/prod-api-readonly\s+active\s+40:00\s+yes\s+g1/);
    expect(text).toMatch(/prod-api-admin\s+pending\s+request 30:00\s+no\s+g2/);
  });
});
