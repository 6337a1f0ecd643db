import { describe, expect, it } from 'vitest';
import { audienceParams, audienceScope } from './audience-request.ts';

const API = 'api://hourglass';

describe('asking each kind of IdP for the broker audience', () => {
  it.each([
    ['resource', 'authorize', { resource: API }],
    ['resource', 'code', { resource: API }],
    ['resource', 'refresh', { resource: API }],
    ['audience', 'authorize', { audience: API }],
    ['audience', 'code', {}],
    ['audience', 'refresh', {}],
    ['scope', 'authorize', {}],
    ['scope', 'code', {}],
    ['scope', 'refresh', { scope: 'openid offline_access api://hourglass/.default' }],
    ['none', 'authorize', {}],
    ['none', 'refresh', {}],
  ] as const)('%s on the %s request: %j', (how, step, expected) => {
    expect(audienceParams(API, how, step)).toEqual(expected);
  });

  it('adds the /.default scope only for scope-style IdPs, once', () => {
    expect(audienceScope('openid', API, 'scope')).toBe('openid api://hourglass/.default');
    expect(audienceScope('openid', `${API}/`, 'scope')).toBe('openid api://hourglass/.default');
    expect(audienceScope('openid', `${API}/.default`, 'scope')).toBe(
      'openid api://hourglass/.default',
    );
    expect(audienceScope('openid', API, 'resource')).toBe('openid');
    expect(audienceScope('openid', API, 'none')).toBe('openid');
  });
});
