/** The small features' transitions: roles, approvals, notices. */
import { describe, expect, it } from 'vitest';
import { aLocalGrant, aNotice, anApproval, aRole } from '../test-fixtures.ts';
import {
  approvalDecided,
  approvalsFailed,
  approvalsPushed,
  initialApprovals,
} from './approvals.ts';
import { initialNotices, maxNotices, noticeDismissed, noticeReceived } from './notices.ts';
import { initialRoles, rolesFailed, rolesReceived, rolesSessionChanged } from './roles.ts';

describe('roles transitions', () => {
  it('sorts by name, clears the error, and drops the roles when signed out', () => {
    let s = rolesFailed(initialRoles(), { code: 'unavailable', message: 'broker down' });
    s = rolesReceived(s, [aRole({ name: 'zeta' }), aRole({ name: 'alpha' })]);
    expect(s.roles.map((r) => r.name)).toEqual(['alpha', 'zeta']);
    expect(s.error).toBeNull();
    expect(rolesSessionChanged(s, true)).toBe(s);
    expect(rolesSessionChanged(s, false).roles).toEqual([]);
  });
});

describe('approvals transitions', () => {
  it('a decided request leaves the inbox; one still pending (more approvals needed) stays', () => {
    const s = approvalsPushed(initialApprovals(), [anApproval()]);
    expect(
      approvalDecided(s, aLocalGrant({ id: 'g9', status: 'pending' }), false).approvals,
    ).toHaveLength(1);
    expect(
      approvalDecided(s, aLocalGrant({ id: 'g9', status: 'active' }), false).approvals,
    ).toEqual([]);
    expect(
      approvalDecided(s, aLocalGrant({ id: 'g9', status: 'denied' }), true).approvals,
    ).toHaveLength(1);
  });

  it('a refused decision shows its message until the next decision', () => {
    let s = approvalsFailed(initialApprovals(), { code: 'not_approver', message: 'not yours' });
    expect(s.error).toBe('not yours');
    s = approvalDecided(s, aLocalGrant({ id: 'x', status: 'active' }), false);
    expect(s.error).toBeNull();
  });
});

describe('notices transitions', () => {
  it('shows each notice once, newest first, at most maxNotices; dismiss removes one', () => {
    let s = initialNotices();
    for (let i = 0; i < maxNotices + 2; i++) s = noticeReceived(s, aNotice({ id: `n${i}` }));
    expect(noticeReceived(s, aNotice({ id: `n${maxNotices + 1}` }))).toBe(s);
    expect(s.notices[0]?.id).toBe(`n${maxNotices + 1}`);
    expect(s.notices).toHaveLength(maxNotices);
    expect(noticeDismissed(s, `n${maxNotices + 1}`).notices.map((n) => n.id)).not.toContain(
      `n${maxNotices + 1}`,
    );
  });
});
