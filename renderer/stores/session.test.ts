import { describe, expect, it } from 'vitest';
import { aSnapshot, aStatus, at, t0 } from '../test-fixtures.ts';
import {
  initialSession,
  isStaleSnapshot,
  loginChanged,
  sessionFailed,
  sessionSignedOut,
  sessionSnapshotReceived,
} from './session.ts';

describe('session transitions', () => {
  it('takes the status and the clock offset from a snapshot, and counts it', () => {
    const s = sessionSnapshotReceived(initialSession(), aSnapshot({ now: at(3) }), t0);
    expect(s.offsetMs).toBe(3000);
    expect(s.status?.loggedIn).toBe(true);
    expect(s.snapshotCount).toBe(1);
  });

  it('ignores a late, older snapshot (same state back) but takes a restarted agent’s newer one', () => {
    const s = sessionSnapshotReceived(initialSession(), aSnapshot({ version: 5, now: at(10) }), t0);
    const late = aSnapshot({ version: 4, now: at(9) });
    expect(isStaleSnapshot(s.snapshot, late)).toBe(true);
    expect(sessionSnapshotReceived(s, late, t0)).toBe(s);
    const restarted = sessionSnapshotReceived(s, aSnapshot({ version: 1, now: at(20) }), t0);
    expect(restarted.snapshotCount).toBe(2);
  });

  it('a snapshot clears the status error', () => {
    let s = sessionFailed(initialSession(), 'status', { code: 'unavailable', message: 'no agent' });
    expect(s.errors.status).toBe('no agent');
    s = sessionSnapshotReceived(s, aSnapshot(), t0);
    expect(s.errors.status).toBeUndefined();
  });

  it('a login failure goes back to idle with the message; a new attempt clears it', () => {
    let s = loginChanged(initialSession(), {
      phase: 'waiting',
      loginId: 'l',
      authorizationUrl: 'https://idp/x',
    });
    s = sessionFailed(s, 'login', { code: 'login_failed', message: 'state mismatch' });
    expect(s.login).toEqual({ phase: 'idle' });
    expect(s.errors.login).toBe('state mismatch');
    s = loginChanged(s, { phase: 'finishing' });
    expect(s.errors.login).toBeUndefined();
  });

  it('signing out shows nobody until the next snapshot', () => {
    const s = sessionSnapshotReceived(initialSession(), aSnapshot({ status: aStatus() }), t0);
    const out = sessionSignedOut(s);
    expect(out.status?.loggedIn).toBe(false);
    expect(out.status?.user).toBeNull();
  });
});
