import { describe, expect, it } from 'vitest';
import { aLocalGrant, aNotice, aSnapshot, at } from '../renderer/test-fixtures.ts';
import { noticeButtons, quickExtendSeconds } from './notice-actions.ts';

describe('notification buttons', () => {
  const grant = aLocalGrant({ id: 'g1', grantedSeconds: 600, expiresAt: at(100) });

  it('Extend adds the grant’s own length to the deadline, capped by its budget', () => {
    // 100 s left + 10 min added: the broker counts an extension from now, so it is asked for 700 s.
    expect(noticeButtons(aNotice(), aSnapshot({ grants: [grant] }))).toEqual([
      { text: 'Extend +10m', action: { type: 'extend', grantId: 'g1', seconds: 700 } },
    ]);
    const capped = { ...grant, extension: { ...grant.extension, remainingSeconds: 300 } };
    expect(quickExtendSeconds(aSnapshot({ grants: [capped] }), 'g1')).toBe(300);
  });

  it('a warning right after the start still offers a real +10m, not a move of a few seconds (issue 14, item 15)', () => {
    const fresh = { ...grant, expiresAt: at(598) };
    const [button] = noticeButtons(aNotice(), aSnapshot({ grants: [fresh] }));
    expect(button?.text).toBe('Extend +10m');
    expect(button?.action).toEqual({ type: 'extend', grantId: 'g1', seconds: 598 + 600 });
    // Within a minute of the per-extension maximum there is nothing worth a click.
    const nearMax = { ...fresh, extension: { ...fresh.extension, maxEachSeconds: 640 } };
    expect(noticeButtons(aNotice(), aSnapshot({ grants: [nearMax] }))).toEqual([]);
  });

  it('offers no Extend when the budget is spent, the grant unknown or not active', () => {
    const spent = { ...grant, extension: { ...grant.extension, remainingCount: 0 } };
    expect(noticeButtons(aNotice(), aSnapshot({ grants: [spent] }))).toEqual([]);
    expect(noticeButtons(aNotice(), null)).toEqual([]);
    const revoked = { ...grant, status: 'revoked' as const };
    expect(noticeButtons(aNotice(), aSnapshot({ grants: [revoked] }))).toEqual([]);
  });

  it('approval notices offer Approve and Deny', () => {
    const notice = aNotice({
      kind: 'approval_needed',
      grantId: 'g9',
      actions: ['approve', 'deny'],
    });
    expect(noticeButtons(notice, aSnapshot()).map((b) => b.action)).toEqual([
      { type: 'approve', grantId: 'g9' },
      { type: 'deny', grantId: 'g9' },
    ]);
  });
});
