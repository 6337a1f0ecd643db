import { describe, expect, it } from 'vitest';
import type { AgentStatus, LocalGrant } from '../protocol/agent-api.ts';
import { trayMenu } from './tray-menu.ts';

const t0 = Date.parse('2030-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const status: AgentStatus = {
  now: iso(t0),
  loggedIn: true,
  user: { subject: 'alice', issuer: 'i', name: 'Alice', groups: [] },
  brokerUrl: 'b',
  issuer: 'i',
  demo: true,
};
function grant(
  id: string,
  role: string,
  expiresInS: number | null,
  state: LocalGrant['status'] = 'active',
): LocalGrant {
  return {
    id,
    role,
    subject: 'alice',
    provider: 'jwt',
    status: state,
    reason: 'r',
    ticket: null,
    requestedSeconds: 600,
    grantedSeconds: 600,
    createdAt: iso(t0),
    activatedAt: iso(t0),
    expiresAt: expiresInS === null ? null : iso(t0 + expiresInS * 1000),
    endedAt: null,
    requestExpiresAt: null,
    credentialStored: true,
  };
}

describe('trayMenu', () => {
  it('shows the soonest deadline in the title and one row per grant', () => {
    const view = trayMenu({
      status,
      grants: [
        grant('a', 'prod-db', 600),
        grant('b', 'prod-api', 65),
        grant('c', 'k8s', null, 'pending'),
      ],
      nowMs: t0,
      offsetMs: 0,
    });
    expect(view.title).toBe('1:05');
    expect(view.tooltip).toBe('Hourglass (DEMO): 2 active grants, next ends in 1:05');
    const labels = view.items.map((i) => ('label' in i ? i.label : '---'));
    expect(labels).toEqual([
      'Signed in as Alice (DEMO)',
      'prod-api: 1:05 left',
      'prod-db: 10:00 left',
      'k8s: pending approval',
      '---',
      'Open Hourglass',
      'Sign out',
      '---',
      'Quit Hourglass',
    ]);
  });

  it('counts down on the broker clock (offset applied) and drops expired grants', () => {
    const grants = [grant('a', 'prod-db', 10)];
    expect(trayMenu({ status, grants, nowMs: t0, offsetMs: 4000 }).title).toBe('0:06');
    const later = trayMenu({ status, grants, nowMs: t0 + 10_000, offsetMs: 0 });
    expect(later.title).toBe('');
    expect(later.tooltip).toContain('no active grants');
  });

  it('offers sign-in when signed out', () => {
    const view = trayMenu({
      status: { ...status, loggedIn: false, user: null, demo: false },
      grants: [],
      nowMs: t0,
      offsetMs: 0,
    });
    expect(view.items).toContainEqual({ kind: 'action', label: 'Sign in…', action: 'sign-in' });
    expect(view.items[0]).toEqual({ kind: 'label', label: 'Not signed in' });
    expect(view.tooltip).toBe('Hourglass: no active grants');
  });
});
