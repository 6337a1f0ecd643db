import { describe, expect, it } from 'vitest';
import { aPendingGrant, at } from './test-fixtures.ts';
import { approvalProgress, approverNames } from './approvals.logic.ts';

describe('approvalProgress', () => {
  it('names the groups and counts approvals so far', () => {
    expect(approvalProgress(aPendingGrant())).toBe('0 of 1 approval from approvers');
    const bob = { by: 'http://idp#bob', byName: 'Bob', at: at(5), comment: null };
    const carol = { by: 'http://idp#carol', byName: null, at: at(6), comment: 'ok' };
    expect(
      approvalProgress(
        aPendingGrant({
          approvalsRequired: 2,
          approverGroups: ['approvers', 'sre'],
          approvals: [bob],
        }),
      ),
    ).toBe('1 of 2 approvals from approvers, sre · so far: Bob');
    expect(approverNames([bob, carol])).toBe('Bob, carol');
  });
});
