import { describe, expect, it } from 'vitest';
import {
  failed,
  grantChanged,
  grantRequested,
  grantSelected,
  initialState,
  loginChanged,
  maxNotices,
  noticeReceived,
  requestAlreadyActive,
  rolesReceived,
  signedOut,
  snapshotReceived,
} from './app-state.ts';
import {
  aLocalGrant,
  aNotice,
  anApproval,
  aRole,
  aSnapshot,
  aStatus,
  at,
  t0,
} from './test-fixtures.ts';

describe('app-state transitions', () => {
  it('takes grants, approvals and the clock offset from a pushed snapshot', () => {
    const snap = aSnapshot({
      now: at(3),
      grants: [aLocalGrant({ id: 'a' })],
      approvals: [anApproval()],
    });
    const s = snapshotReceived(initialState(t0), snap, t0);
    expect(s.offsetMs).toBe(3000);
    expect(s.grants.map((g) => g.id)).toEqual(['a']);
    expect(s.approvals.map((a) => a.grant.id)).toEqual(['g9']);
    expect(s.status?.loggedIn).toBe(true);
  });

  it('ignores a late, older snapshot but takes a restarted agent’s newer one', () => {
    const s = snapshotReceived(initialState(t0), aSnapshot({ version: 5, now: at(10) }), t0);
    const late = snapshotReceived(
      s,
      aSnapshot({ version: 4, now: at(9), grants: [aLocalGrant()] }),
      t0,
    );
    expect(late.grants).toEqual([]);
    const restarted = snapshotReceived(
      s,
      aSnapshot({ version: 1, now: at(20), grants: [aLocalGrant()] }),
      t0,
    );
    expect(restarted.grants).toHaveLength(1);
  });

  it('a signed-out snapshot drops roles', () => {
    let s = rolesReceived(initialState(t0), [aRole()]);
    s = snapshotReceived(s, aSnapshot({ status: aStatus({ loggedIn: false, user: null }) }), t0);
    expect(s.roles).toEqual([]);
  });

  it('merges a changed grant by id and drops its decided approval', () => {
    let s = snapshotReceived(
      initialState(t0),
      aSnapshot({ grants: [aLocalGrant({ id: 'a' })], approvals: [anApproval()] }),
      t0,
    );
    s = grantChanged(s, aLocalGrant({ id: 'a', reason: 'updated' }), 'grants');
    expect(s.grants.map((g) => [g.id, g.reason])).toEqual([['a', 'updated']]);
    s = grantChanged(s, aLocalGrant({ id: 'g9', status: 'active' }), 'approvals');
    expect(s.approvals).toEqual([]);
  });

  it('an action answer overtaken by a pushed snapshot does not undo it', () => {
    const wiped = aLocalGrant({ id: 'a', status: 'revoked', wipeState: 'wiped' });
    let s = snapshotReceived(
      initialState(t0),
      aSnapshot({ grants: [aLocalGrant({ id: 'a' })] }),
      t0,
    );
    const sentAt = s.snapshotCount;
    s = snapshotReceived(s, aSnapshot({ version: 2, grants: [wiped] }), t0);
    s = grantChanged(
      s,
      aLocalGrant({ id: 'a', status: 'revoked', wipeState: 'awaiting' }),
      'grants',
      sentAt,
    );
    expect(s.grants).toEqual([wiped]);
  });

  it('a request clears its error; already_active offers Extend on the held grant', () => {
    let s = failed(initialState(t0), 'request', { code: 'policy_violation', message: 'too long' });
    s = grantRequested(s, aLocalGrant({ id: 'a' }));
    expect(s.errors.request).toBeUndefined();
    expect(s.lastGrantId).toBe('a');
    s = requestAlreadyActive(s, { code: 'already_active', message: 'held', grantId: 'a' });
    expect(s.alreadyActive).toEqual({ grantId: 'a' });
    s = grantSelected(s, 'a');
    expect(s.selectedGrantId).toBe('a');
    expect(s.alreadyActive).toBeNull();
  });

  it('shows each notice once, newest first, at most maxNotices', () => {
    let s = initialState(t0);
    for (let i = 0; i < maxNotices + 2; i++) s = noticeReceived(s, aNotice({ id: `n${i}` }));
    s = noticeReceived(s, aNotice({ id: `n${maxNotices + 1}` }));
    expect(s.notices.map((n) => n.id)[0]).toBe(`n${maxNotices + 1}`);
    expect(s.notices).toHaveLength(maxNotices);
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

  it('signing out drops user data', () => {
    const s = snapshotReceived(initialState(t0), aSnapshot({ grants: [aLocalGrant()] }), t0);
    expect(signedOut(s).grants).toEqual([]);
    expect(signedOut(s).status?.loggedIn).toBe(false);
  });
});
