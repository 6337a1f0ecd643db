import { describe, expect, it } from 'vitest';
import { aLocalGrant } from '../test-fixtures.ts';
import {
  grantChanged,
  grantRequested,
  grantSelected,
  grantsFailed,
  grantsPushed,
  initialGrants,
  requestAlreadyActive,
} from './grants.ts';

describe('grants transitions', () => {
  it('a pushed list replaces the grants; an answer merges its grant by id', () => {
    let s = grantsPushed(initialGrants(), [aLocalGrant({ id: 'a' }), aLocalGrant({ id: 'b' })]);
    s = grantChanged(s, aLocalGrant({ id: 'a', reason: 'updated' }), 'grants', false);
    expect(s.grants.map((g) => [g.id, g.reason])).toEqual([
      ['a', 'updated'],
      ['b', aLocalGrant().reason],
    ]);
  });

  it('an answer overtaken by a pushed snapshot does not undo it, but clears the error', () => {
    const wiped = aLocalGrant({ id: 'a', status: 'revoked', wipeState: 'wiped' });
    let s = grantsFailed(grantsPushed(initialGrants(), [wiped]), 'grants', {
      code: 'unavailable',
      message: 'retry',
    });
    s = grantChanged(
      s,
      aLocalGrant({ id: 'a', status: 'revoked', wipeState: 'awaiting' }),
      'grants',
      true,
    );
    expect(s.grants).toEqual([wiped]);
    expect(s.errors.grants).toBeUndefined();
  });

  it('a request clears its error; already_active offers Extend on the held grant; selecting drops the offer', () => {
    let s = grantsFailed(initialGrants(), 'request', {
      code: 'policy_violation',
      message: 'too long',
    });
    s = grantRequested(s, aLocalGrant({ id: 'a' }), false);
    expect(s.errors.request).toBeUndefined();
    expect(s.lastGrantId).toBe('a');
    s = requestAlreadyActive(s, { code: 'already_active', message: 'held', grantId: 'a' });
    expect(s.errors.request).toBe('held');
    expect(s.alreadyActive).toEqual({ grantId: 'a' });
    s = grantSelected(s, 'a');
    expect(s.selectedGrantId).toBe('a');
    expect(s.alreadyActive).toBeNull();
  });
});
