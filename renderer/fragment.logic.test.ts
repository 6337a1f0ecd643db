import { describe, expect, it } from 'vitest';
import { grantFromFragment } from './fragment.logic.ts';

describe('grantFromFragment', () => {
  it.each([
    ['#grant=g_1-x', 'g_1-x'],
    ['#token=abc', null],
    ['#grant=<img src=x>', null],
    ['', null],
  ])('%s → %s', (hash, id) => expect(grantFromFragment(hash)).toBe(id));
});
