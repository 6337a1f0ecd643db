import { describe, expect, it } from 'vitest';
import type { GrantRecord } from './grant-record.ts';
import { toGrantView } from './grant-view.ts';
import { active, alice, at, broker, iso, policy, step } from './grant-transition.fixtures.ts';

describe('wipe receipts and wipeState', () => {
  it('records a wipe receipt once, and wipeState follows credential, receipt and grace', () => {
    const issued = step(
      active(600),
      { kind: 'issueCredential', tokenId: 'jti-1' },
      alice,
      at(1),
    ).grant;
    const ended = step(issued, { kind: 'expire' }, broker, at(600)).grant;
    const view = (g: GrantRecord, s: number) =>
      toGrantView(g, { policy, now: at(s), wipeGraceSeconds: 120 }).wipeState;
    expect(view(active(), 1)).toBe('none');
    expect(view(step(active(), { kind: 'expire' }, broker, at(600)).grant, 9999)).toBe('none');
    expect(view(issued, 1)).toBe('none');
    expect(view(ended, 700)).toBe('awaiting');
    expect(view(ended, 720)).toBe('not_confirmed');
    const receipt = { wipedAt: iso(601), trigger: 'deadline' as const, items: ['keychain'] };
    const wiped = step(ended, { kind: 'recordWipe', receipt }, alice, at(602));
    expect(wiped.grant.wipe).toEqual({ ...receipt, receivedAt: iso(602) });
    expect(wiped.audit[0]).toMatchObject({
      event: 'wiped',
      details: { trigger: 'deadline', items: ['keychain'] },
    });
    expect(wiped.events).toEqual([{ change: 'wiped', audience: { kind: 'owner' } }]);
    expect(view(wiped.grant, 9999)).toBe('wiped');
    const again = step(wiped.grant, { kind: 'recordWipe', receipt }, alice, at(700));
    expect(again.audit).toEqual([]);
    expect(again.grant).toBe(wiped.grant);
  });
});
