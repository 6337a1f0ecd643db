import { describe, expect, it } from 'vitest';
import { irrevocableAlarms } from './irrevocable.logic.ts';
import { aLocalGrant } from './test-fixtures.ts';

describe('irrevocable alarm', () => {
  it('names each grant whose access may remain at the target, and nothing else', () => {
    const stuck = aLocalGrant({
      id: 'g9',
      role: 'prod-db',
      status: 'revoked',
      irrevocableAt: '2030-01-01T00:02:00.000Z',
    });
    const fine = aLocalGrant({ id: 'g1', status: 'revoked' });
    expect(irrevocableAlarms([fine, stuck], (iso) => `<${iso}>`)).toEqual([
      'Access of prod-db (grant g9) could not be removed at its target since <2030-01-01T00:02:00.000Z>: it may still work there. Admins are alerted; the broker keeps retrying.',
    ]);
    expect(irrevocableAlarms([fine], String)).toEqual([]);
  });
});
