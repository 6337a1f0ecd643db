import { afterEach, describe, expect, it } from 'vitest';
import { localTime } from './local-time.ts';

// Each case names its zone in TZ (read at each call), so the results do not depend on the box.
const zoneBefore = process.env.TZ;
afterEach(() => {
  if (zoneBefore === undefined) delete process.env.TZ;
  else process.env.TZ = zoneBefore;
});

const inZone = (zone: string, instant: string | null, now: string, withDate = false) => {
  process.env.TZ = zone;
  return localTime(instant, now, withDate);
};

describe('local time for people', () => {
  it('shows the time of today with the zone abbreviation, summer and winter', () => {
    expect(inZone('Europe/Berlin', '2026-11-29T09:36:56Z', '2026-11-29T12:00:00Z')).toBe(
      '10:36:56 CET',
    );
    expect(inZone('Europe/Berlin', '2026-07-01T09:36:56Z', '2026-07-01T12:00:00Z')).toBe(
      '11:36:56 CEST',
    );
    expect(inZone('America/New_York', '2026-11-29T15:00:00Z', '2026-11-29T16:00:00Z')).toBe(
      '10:00:00 EST',
    );
    expect(inZone('UTC', '2026-11-29T09:36:56.123Z', '2026-11-29T12:00:00Z')).toBe('09:36:56 UTC');
  });

  it('adds the date when the instant is not on the local today', () => {
    // 23:30 UTC is already tomorrow in Berlin, and still today in New York.
    expect(inZone('Europe/Berlin', '2026-11-29T23:30:00Z', '2026-11-29T12:00:00Z')).toBe(
      '2026-11-30 00:30:00 CET',
    );
    expect(inZone('America/New_York', '2026-11-29T23:30:00Z', '2026-11-29T20:00:00Z')).toBe(
      '18:30:00 EST',
    );
    expect(inZone('Europe/Berlin', '2026-11-29T09:00:00Z', '2026-11-29T12:00:00Z', true)).toBe(
      '2026-11-29 10:00:00 CET',
    );
  });

  it('names a zone without a common abbreviation by its offset', () => {
    expect(inZone('Asia/Kolkata', '2026-11-29T09:36:56Z', '2026-11-29T09:40:00Z')).toBe(
      '15:06:56 +05:30',
    );
  });

  it('reads a missing or unreadable instant as ?', () => {
    expect(inZone('Europe/Berlin', null, '2026-11-29T12:00:00Z')).toBe('?');
    expect(inZone('Europe/Berlin', 'not a time', '2026-11-29T12:00:00Z')).toBe('?');
  });
});
