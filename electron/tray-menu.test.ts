import { describe, expect, it } from 'vitest';
import {
  aLocalGrant,
  aPendingGrant,
  anApproval,
  aRole,
  aSnapshot,
  aStatus,
  at,
  t0,
} from '../renderer/test-fixtures.ts';
import type { TrayItem } from './tray-action.ts';
import { trayMenu } from './tray-menu.ts';
import {
  emptyTrayState,
  trayKeychainChecked,
  trayRolesReceived,
  traySettingsChanged,
  traySnapshotReceived,
  trayStateAt,
} from './tray-state.ts';

const grants = [
  aLocalGrant({ id: 'a', role: 'prod-db', expiresAt: at(600) }),
  aLocalGrant({ id: 'b', role: 'prod-api', expiresAt: at(65) }),
  aPendingGrant({ id: 'c', role: 'k8s' }),
];
const stateOf = (snapshot = aSnapshot({ grants }), receivedAtMs = t0) =>
  traySnapshotReceived(emptyTrayState(t0), snapshot, receivedAtMs);

/** The menu as indented text: what a user sees. */
function outline(items: readonly TrayItem[], depth = 0): string[] {
  return items.flatMap((i) => {
    const pad = '  '.repeat(depth);
    if (i.kind === 'separator') return [`${pad}---`];
    if (i.kind === 'submenu') return [`${pad}${i.label} >`, ...outline(i.items, depth + 1)];
    return [`${pad}${i.label}`];
  });
}

function find(items: readonly TrayItem[], path: string[]): TrayItem | undefined {
  const [head, ...rest] = path;
  const item = items.find((i) => 'label' in i && i.label.startsWith(head ?? ''));
  if (rest.length === 0 || item?.kind !== 'submenu') return rest.length === 0 ? item : undefined;
  return find(item.items, rest);
}

describe('trayMenu', () => {
  it('shows the soonest deadline in the title and one submenu per grant', () => {
    const view = trayMenu(stateOf());
    expect(view.title).toBe('1:05');
    expect(view.ticking).toBe(true);
    expect(view.tooltip).toBe('Hourglass (DEMO): 2 active grants, next ends in 1:05');
    expect(outline(view.items)).toEqual([
      'Signed in as Alice (DEMO)',
      'Active grants',
      'prod-api: 1:05 left >',
      '  Extend >',
      '    +15m',
      '    +30m',
      '    +1h',
      '  Copy export command',
      '  Open terminal with credentials',
      "  I'm done",
      'prod-db: 10:00 left >',
      '  Extend >',
      '    +15m',
      '    +30m',
      '    +1h',
      '  Copy export command',
      '  Open terminal with credentials',
      "  I'm done",
      'k8s: pending approval >',
      '  Open',
      '  Cancel request',
      '---',
      '---',
      'Open Hourglass',
      'Sign out',
      '---',
      'Quit Hourglass',
    ]);
  });

  it('Extend offers only presets within the budget, and says when none is left', () => {
    const tight = aLocalGrant({
      id: 't',
      role: 'prod-db',
      expiresAt: at(300),
      extension: {
        usedCount: 1,
        usedSeconds: 3000,
        remainingCount: 1,
        remainingSeconds: 1200,
        maxEachSeconds: 3600,
        requiresApproval: false,
      },
    });
    const spent = aLocalGrant({
      id: 's',
      role: 'prod-api',
      expiresAt: at(200),
      extension: { ...tight.extension, remainingCount: 0 },
    });
    const items = trayMenu(stateOf(aSnapshot({ grants: [tight, spent] }))).items;
    expect(find(items, ['prod-db', 'Extend'])).toMatchObject({
      items: [
        { label: '+15m', action: { type: 'extend', grantId: 't', seconds: 900 } },
        { label: '+20m', action: { type: 'extend', grantId: 't', seconds: 1200 } },
      ],
    });
    expect(find(items, ['prod-api', 'Extend'])).toEqual({
      kind: 'label',
      label: 'Extend: no budget left',
    });
    expect(find(items, ['prod-api', "I'm done"])).toMatchObject({
      action: { type: 'done', grantId: 's' },
    });
  });

  it('Request access groups roles by environment, presets up to the max, last reason pre-filled', () => {
    const state = traySettingsChanged(
      trayRolesReceived(stateOf(aSnapshot()), [
        aRole({ name: 'staging-db', tenant: 'staging', maxDurationSeconds: 1200 }),
        aRole({
          name: 'prod-api-admin',
          tenant: 'prod-eu',
          approvalsRequired: 1,
          maxDurationSeconds: 1800,
        }),
      ]),
      {
        lastRequests: {
          'prod-api-admin': { durationSeconds: 900, reason: 'INC-1', ticket: 'INC-1' },
        },
        warnMarks: [600, 120],
      },
    );
    const items = trayMenu(state).items;
    expect(outline([find(items, ['Request access']) as TrayItem])).toEqual([
      'Request access >',
      '  prod-eu >',
      '    prod-api-admin (needs approval) >',
      '      15m…',
      '      30m…',
      '  staging >',
      '    staging-db >',
      '      15m…',
      '      20m…',
    ]);
    expect(find(items, ['Request access', 'prod-eu', 'prod-api-admin', '30m'])).toMatchObject({
      action: {
        type: 'request',
        prefill: {
          role: 'prod-api-admin',
          durationSeconds: 1800,
          reason: 'INC-1',
          ticket: 'INC-1',
        },
      },
    });
    expect(find(items, ['Request access', 'staging', 'staging-db', '15m'])).toMatchObject({
      action: { type: 'request', prefill: { role: 'staging-db', durationSeconds: 900 } },
    });
  });

  it('counts down on the broker clock (offset from the snapshot) and drops expired grants', () => {
    const snapshot = aSnapshot({ now: at(4), grants: [aLocalGrant({ expiresAt: at(10) })] });
    expect(trayMenu(stateOf(snapshot, t0)).title).toBe('0:06');
    const later = trayMenu(trayStateAt(stateOf(snapshot, t0), t0 + 6_000));
    expect(later.title).toBe('');
    expect(later.ticking).toBe(false);
    expect(later.tooltip).toContain('no active grants');
  });

  it('offers Approve / Deny for approvals waiting and says when offline', () => {
    const view = trayMenu(
      stateOf(
        aSnapshot({
          approvals: [anApproval(), anApproval({ id: 'g8', requesterName: 'Dan' })],
          connection: { state: 'offline', message: 'broker unreachable', since: at(0) },
        }),
      ),
    );
    expect(find(view.items, ['Pending approvals (2)', 'Carol', 'Approve'])).toMatchObject({
      action: { type: 'approve', grantId: 'g9' },
    });
    expect(find(view.items, ['Pending approvals (2)', 'Dan', 'Deny'])).toMatchObject({
      action: { type: 'deny', grantId: 'g8' },
    });
    expect(outline(view.items)).toContain('Offline: grants still end on time');
    expect(view.tooltip).toBe('Hourglass (DEMO): no active grants, 2 approvals waiting');
  });

  it('ignores a late older snapshot', () => {
    const newer = stateOf(aSnapshot({ version: 3, now: at(5), grants }));
    const late = traySnapshotReceived(newer, aSnapshot({ version: 2, now: at(1) }), t0);
    expect(trayMenu(late).title).toBe('1:00');
  });

  it('offers sign-in when signed out and shows no grants, roles or approvals', () => {
    const signedOut = aSnapshot({
      status: aStatus({ loggedIn: false, user: null, demo: false }),
      grants,
      approvals: [anApproval()],
    });
    const state = trayRolesReceived(stateOf(signedOut), [aRole()]);
    const view = trayMenu(state);
    expect(outline(view.items)).toEqual([
      'Not signed in',
      '---',
      'Open Hourglass',
      'Sign in…',
      '---',
      'Quit Hourglass',
    ]);
    expect(view.tooltip).toBe('Hourglass: no active grants');
    expect(view.icon).toBe('signed-out');
  });

  it('names a non-default profile', () => {
    const view = trayMenu(stateOf(aSnapshot({ status: aStatus({ profile: 'work' }) })));
    expect(view.items[0]).toEqual({
      kind: 'label',
      label: 'Signed in as Alice, profile work (DEMO)',
    });
  });

  it('before any snapshot: not signed in, nothing counted', () => {
    expect(trayMenu(emptyTrayState(t0)).items[0]).toEqual({
      kind: 'label',
      label: 'Not signed in',
    });
  });
});

describe('tray icon state', () => {
  const icon = (snapshot = aSnapshot(), marks = [600, 120]) =>
    trayMenu(traySettingsChanged(stateOf(snapshot), { lastRequests: {}, warnMarks: marks })).icon;
  it.each([
    ['idle', aSnapshot()],
    ['active', aSnapshot({ grants: [aLocalGrant({ expiresAt: at(900) })] })],
    ['expiring', aSnapshot({ grants: [aLocalGrant({ expiresAt: at(119) })] })],
    ['pending', aSnapshot({ grants: [aPendingGrant()] })],
    ['pending', aSnapshot({ approvals: [anApproval()] })],
    ['error', aSnapshot({ connection: { state: 'offline', message: 'down', since: at(0) } })],
    [
      'expiring',
      aSnapshot({
        grants: [aLocalGrant({ expiresAt: at(60) })],
        connection: { state: 'offline', message: 'down', since: at(0) },
      }),
    ],
    ['signed-out', aSnapshot({ status: aStatus({ loggedIn: false, user: null }) })],
  ] as const)('%s', (expected, snapshot) => {
    expect(icon(snapshot)).toBe(expected);
  });

  it('a keychain failing the doctor probe shows error and says so, even signed out', () => {
    const broken = {
      status: 'fail' as const,
      detail: 'the login keyring is locked',
      fix: 'unlock it',
    };
    const signedOut = aSnapshot({ status: aStatus({ loggedIn: false, user: null }) });
    const view = trayMenu(trayKeychainChecked(stateOf(signedOut), broken));
    expect(view.icon).toBe('error');
    expect(outline(view.items)).toContain('Keychain problem: the login keyring is locked');
    const fine = trayMenu(
      trayKeychainChecked(stateOf(signedOut), { status: 'ok', detail: 'ok', fix: null }),
    );
    expect(fine.icon).toBe('signed-out');
  });

  it('"expiring soon" is inside the last (smallest) warning mark', () => {
    const snapshot = aSnapshot({ grants: [aLocalGrant({ expiresAt: at(200) })] });
    expect(icon(snapshot, [600, 120])).toBe('active');
    expect(icon(snapshot, [300, 900])).toBe('expiring');
  });
});
