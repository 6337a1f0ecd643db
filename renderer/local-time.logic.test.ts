import { describe, expect, it } from 'vitest';
import { localizeInstants, localTime } from './local-time.logic.ts';

const now = Date.parse('2030-06-15T12:00:00Z');

describe('localTime', () => {
  it('shows the time only for today, in the given zone and locale', () => {
    expect(localTime('2030-06-15T13:05:00Z', now, 'en-GB', 'Europe/Berlin')).toBe('15:05');
    expect(localTime('2030-06-15T13:05:00Z', now, 'en-US', 'America/New_York')).toBe('9:05 AM');
  });

  it('adds the weekday within a week and the date beyond; never raw ISO', () => {
    expect(localTime('2030-06-13T08:00:00Z', now, 'en-GB', 'UTC')).toBe('Thu 08:00');
    const old = localTime('2030-01-02T08:00:00Z', now, 'en-GB', 'UTC');
    expect(old).toContain('2030');
    expect(old).not.toContain('T08');
    expect(localTime('nope', now)).toBe('unknown time');
  });
});

describe('localizeInstants', () => {
  it('rewrites ISO instants inside a sentence and leaves the rest alone', () => {
    expect(
      localizeInstants('Now until 2030-06-15T13:05:00.123Z.', now, 'en-GB', 'Europe/Berlin'),
    ).toBe('Now until 15:05.');
    expect(localizeInstants('INC-2030 at noon', now)).toBe('INC-2030 at noon');
  });
});
