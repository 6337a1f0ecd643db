import { describe, expect, it } from 'vitest';
import { routeFromFragment, viewForGrant, viewHash, viewNames } from './view-route.logic.ts';

describe('hash routes', () => {
  it('every view has a route that parses back to it', () => {
    for (const view of viewNames)
      expect(routeFromFragment(viewHash(view))).toEqual({ kind: 'view', view });
  });

  it.each([
    ['#grant=g-1', { kind: 'grant', grantId: 'g-1' }],
    ['', null],
    ['#', null],
    ['#/', null],
    ['#/unknown', null],
    ['#/History', null],
    ['#/history/x', null],
    ['#/history?x=1', null],
    ['#token=abc', null],
    ['#request=db', null],
    ['#grant=<script>', null],
    [`#/${'a'.repeat(5000)}`, null],
  ])('%s → %j', (hash, route) => {
    expect(routeFromFragment(hash)).toEqual(route);
  });

  it('a grant opens the view that shows it', () => {
    expect(viewForGrant(true, null)).toBe('approvals');
    expect(viewForGrant(false, null)).toBe('active');
    expect(viewForGrant(false, 'active')).toBe('active');
    expect(viewForGrant(false, 'pending')).toBe('active');
    for (const ended of ['expired', 'revoked', 'denied', 'cancelled'] as const)
      expect(viewForGrant(false, ended)).toBe('history');
  });
});
