import { describe, expect, it } from 'vitest';
import { createViewStore, fragmentChanged, fullLayoutOpened, routeChanged } from './view-store.ts';

describe('view store', () => {
  it('a #request fragment opens the compact layout pre-filled; a token fragment leaves it alone', () => {
    const store = createViewStore('#request=db&for=900s&reason=INC-1');
    expect(store.getState()).toMatchObject({
      layout: 'request-only',
      prefill: { role: 'db', duration: '15m', reason: 'INC-1' },
      prefillCount: 1,
    });
    const again = fragmentChanged(store.getState(), '#request=db');
    expect(again.prefillCount).toBe(2);
    expect(fragmentChanged(again, '#token=abc')).toBe(again);
    expect(fullLayoutOpened(again).layout).toBe('full');
  });

  it('opens on Active; #/<view> and #grant= routes switch to the full layout and count the move', () => {
    const start = createViewStore('').getState();
    expect(start).toMatchObject({
      layout: 'full',
      route: { kind: 'view', view: 'active' },
      routeCount: 0,
    });
    const history = fragmentChanged(start, '#/history');
    expect(history).toMatchObject({ route: { kind: 'view', view: 'history' }, routeCount: 1 });
    const compact = fragmentChanged(history, '#request=db');
    expect(fragmentChanged(compact, '#grant=g1')).toMatchObject({
      layout: 'full',
      route: { kind: 'grant', grantId: 'g1' },
      routeCount: 2,
    });
    expect(routeChanged(start, { kind: 'view', view: 'roles' }).route).toEqual({
      kind: 'view',
      view: 'roles',
    });
  });

  it('a window opened on a view or a grant starts there without counting a move', () => {
    expect(createViewStore('#/approvals').getState()).toMatchObject({
      route: { kind: 'view', view: 'approvals' },
      routeCount: 0,
    });
  });
});
