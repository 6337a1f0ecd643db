import { describe, expect, it } from 'vitest';
import { aGrant } from './test-fixtures.ts';
import { extendPresets, extendUnavailableReason, extensionCap } from './extend-presets.logic.ts';

const budget = (over: Partial<ReturnType<typeof aGrant>['extension']>) => ({
  ...aGrant().extension,
  ...over,
});

describe('extendPresets', () => {
  it.each([
    [{ maxEachSeconds: 3600, remainingSeconds: 7200 }, ['15m', '30m', '1h']],
    [{ maxEachSeconds: 8 * 3600, remainingSeconds: 2 * 3600 }, ['15m', '30m', '1h', '2h']],
    [{ maxEachSeconds: 3600, remainingSeconds: 20 * 60 }, ['15m', '20m']],
    [{ maxEachSeconds: 600, remainingSeconds: 3600 }, ['10m']],
    [{ maxEachSeconds: 3600, remainingSeconds: 0 }, []],
    [{ remainingCount: 0 }, []],
  ])('budget %j offers %j', (over, labels) => {
    expect(extendPresets(budget(over)).map((p) => p.label)).toEqual(labels);
  });

  it('never offers more than the cap', () => {
    const b = budget({ maxEachSeconds: 5000, remainingSeconds: 4000 });
    expect(extensionCap(b)).toBe(4000);
    expect(Math.max(...extendPresets(b).map((p) => p.seconds))).toBe(4000);
  });

  it('says why extending is unavailable', () => {
    expect(extendUnavailableReason(budget({ remainingCount: 0 }))).toBe(
      'No extensions left for this grant.',
    );
    expect(extendUnavailableReason(budget({ remainingSeconds: 0 }))).toBe(
      'The extension time budget is used up.',
    );
    expect(extendUnavailableReason(budget({}))).toBeNull();
  });
});
