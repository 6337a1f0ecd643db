import { describe, expect, it } from 'vitest';
import type { AgentStatus, LocalGrant } from '../protocol/agent-api.ts';
import {
  failed,
  grantRequested,
  grantsReceived,
  initialState,
  loginChanged,
  signedOut,
  statusReceived,
} from './app-state.ts';

const t0 = Date.parse('2030-01-01T00:00:00.000Z');
const status: AgentStatus = {
  now: new Date(t0 + 3000).toISOString(),
  loggedIn: true,
  user: { subject: 'alice', issuer: 'i', groups: [] },
  brokerUrl: 'b',
  issuer: 'i',
  demo: true,
};
const g = (id: string, reason = 'r'): LocalGrant => ({
  id,
  role: 'prod-api-readonly',
  subject: 'alice',
  provider: 'jwt',
  status: 'active',
  reason,
  ticket: null,
  requestedSeconds: 60,
  grantedSeconds: 60,
  createdAt: status.now,
  activatedAt: status.now,
  expiresAt: status.now,
  endedAt: null,
  requestExpiresAt: null,
  credentialStored: true,
});

describe('app-state transitions', () => {
  it('takes the clock offset from status and grant lists', () => {
    const s1 = statusReceived(initialState(t0), status, t0);
    expect(s1.offsetMs).toBe(3000);
    const s2 = grantsReceived(s1, [g('a')], new Date(t0 - 1000).toISOString(), t0);
    expect(s2.offsetMs).toBe(-1000);
    expect(s2.grants.map((x) => x.id)).toEqual(['a']);
  });

  it('merges a requested grant by id and clears the request error', () => {
    let s = grantsReceived(initialState(t0), [g('a'), g('b')], status.now, t0);
    s = failed(s, 'request', { code: 'policy_violation', message: 'too long' });
    s = grantRequested(s, g('a', 'updated'));
    expect(s.grants.map((x) => [x.id, x.reason])).toEqual([
      ['b', 'r'],
      ['a', 'updated'],
    ]);
    expect(s.errors.request).toBeUndefined();
    expect(s.lastGrantId).toBe('a');
  });

  it('a login failure goes back to idle with the message', () => {
    let s = loginChanged(initialState(t0), {
      phase: 'waiting',
      loginId: 'l',
      authorizationUrl: 'https://idp/x',
    });
    s = failed(s, 'login', { code: 'login_failed', message: 'state mismatch' });
    expect(s.login).toEqual({ phase: 'idle' });
    expect(s.errors.login).toBe('state mismatch');
  });

  it('signing out drops user data; a signed-out status drops roles and grants', () => {
    const s = grantsReceived(
      statusReceived(initialState(t0), status, t0),
      [g('a')],
      status.now,
      t0,
    );
    expect(signedOut(s).grants).toEqual([]);
    expect(signedOut(s).status?.loggedIn).toBe(false);
    expect(statusReceived(s, { ...status, loggedIn: false, user: null }, t0).grants).toEqual([]);
  });
});
