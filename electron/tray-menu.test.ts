import { describe, expect, it } from 'vitest';
import {
  aLocalGrant,
  aPendingGrant,
  anApproval,
  aSnapshot,
  aStatus,
  at,
  t0,
} from '../renderer/test-fixtures.ts';
import { trayMenu } from './tray-menu.ts';
import { emptyTrayState, traySnapshotReceived, trayStateAt } from './tray-state.ts';

const grants = [
  aLocalGrant({ id: 'a', role: 'prod-db', expiresAt: at(600) }),
  aLocalGrant({ id: 'b', role: 'prod-api', expiresAt: at(65) }),
  aPendingGrant({ id: 'c', role: 'k8s' }),
];
const stateOf = (snapshot = aSnapshot({ grants }), receivedAtMs = t0) =>
  traySnapshotReceived(emptyTrayState(t0), snapshot, receivedAtMs);
const labels = (items: ReturnType<typeof trayMenu>['items']) =>
  items.map((i) => ('label' in i ? i.label : '---'));

describe('trayMenu', () => {
  it('shows the soonest deadline in the title and one row per grant', () => {
    const view = trayMenu(stateOf());
    expect(view.title).toBe('1:05');
    expect(view.tooltip).toBe('Hourglass (DEMO): 2 active grants, next ends in 1:05');
    expect(labels(view.items)).toEqual([
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

  it('counts down on the broker clock (offset from the snapshot) and drops expired grants', () => {
    const snapshot = aSnapshot({ now: at(4), grants: [aLocalGrant({ expiresAt: at(10) })] });
    expect(trayMenu(stateOf(snapshot, t0)).title).toBe('0:06');
    const later = trayMenu(trayStateAt(stateOf(snapshot, t0), t0 + 6_000));
    expect(later.title).toBe('');
    expect(later.tooltip).toContain('no active grants');
  });

  it('offers the approvals waiting and says when offline', () => {
    const view = trayMenu(
      stateOf(
        aSnapshot({
          approvals: [anApproval(), anApproval({ id: 'g8' })],
          connection: { state: 'offline', message: 'broker unreachable', since: at(0) },
        }),
      ),
    );
    expect(view.items).toContainEqual({
      kind: 'action',
      label: 'Approvals waiting: 2…',
      action: 'open',
    });
    expect(labels(view.items)).toContain('Offline: grants still end on time');
    expect(view.tooltip).toBe('Hourglass (DEMO): no active grants, 2 approvals waiting');
  });

  it('ignores a late older snapshot', () => {
    const newer = stateOf(aSnapshot({ version: 3, now: at(5), grants }));
    const late = traySnapshotReceived(newer, aSnapshot({ version: 2, now: at(1) }), t0);
    expect(trayMenu(late).title).toBe('1:00');
  });

  it('offers sign-in when signed out and shows no grants', () => {
    const view = trayMenu(
      stateOf(aSnapshot({ status: aStatus({ loggedIn: false, user: null, demo: false }), grants })),
    );
    expect(view.items).toContainEqual({ kind: 'action', label: 'Sign in…', action: 'sign-in' });
    expect(view.items[0]).toEqual({ kind: 'label', label: 'Not signed in' });
    expect(view.tooltip).toBe('Hourglass: no active grants');
  });

  it('before any snapshot: not signed in, nothing counted', () => {
    expect(trayMenu(emptyTrayState(t0)).items[0]).toEqual({
      kind: 'label',
      label: 'Not signed in',
    });
  });
});
