import { describe, expect, it } from 'vitest';
import { createViewStore, fragmentChanged, fullLayoutOpened } from './view-store.ts';

describe('view store', () => {
  it('a #request fragment opens the compact layout pre-filled; others leave it alone', () => {
    const store = createViewStore('#request=db&for=900s&reason=INC-1');
    expect(store.getState()).toEqual({
      layout: 'request-only',
      prefill: { role: 'db', duration: '15m', reason: 'INC-1' },
      prefillCount: 1,
    });
    const again = fragmentChanged(store.getState(), '#request=db');
    expect(again.prefillCount).toBe(2);
    expect(fragmentChanged(again, '#grant=g1')).toBe(again);
    expect(fullLayoutOpened(again).layout).toBe('full');
    expect(createViewStore('').getState()).toEqual({
      layout: 'full',
      prefill: null,
      prefillCount: 0,
    });
  });
});
