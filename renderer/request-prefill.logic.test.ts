import { describe, expect, it } from 'vitest';
import { draftPrefilled, requestPrefillFromFragment } from './request-prefill.logic.ts';

describe('requestPrefillFromFragment', () => {
  it('reads what the tray or a deep link put there', () => {
    expect(
      requestPrefillFromFragment(
        '#request=prod-api-admin&for=1800s&reason=INC-42+deploy&ticket=INC-42',
      ),
    ).toEqual({
      role: 'prod-api-admin',
      duration: '30m',
      reason: 'INC-42 deploy',
      ticket: 'INC-42',
    });
    expect(requestPrefillFromFragment('#request=db&for=5400s')).toEqual({
      role: 'db',
      duration: '1h30m',
    });
  });

  it('drops what does not check out, keeps script as text', () => {
    expect(requestPrefillFromFragment('#grant=g1')).toBeNull();
    expect(requestPrefillFromFragment('#request=Bad%20Role')).toBeNull();
    expect(requestPrefillFromFragment('#request=db&for=forever&reason=a%0Ab')).toEqual({
      role: 'db',
    });
    expect(
      requestPrefillFromFragment('#request=db&reason=%3Cscript%3Ex%3C/script%3E')?.reason,
    ).toBe('<script>x</script>');
  });

  it('fills the named fields of a draft and keeps the others', () => {
    expect(
      draftPrefilled(
        { role: 'a', duration: '15m', reason: 'typed', ticket: '' },
        { role: 'b', duration: '30m' },
      ),
    ).toEqual({ role: 'b', duration: '30m', reason: 'typed', ticket: '' });
  });
});
