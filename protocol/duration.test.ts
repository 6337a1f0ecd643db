import { describe, expect, it } from 'vitest';
import { formatCountdown, formatDuration, parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it.each([
    ['90s', 90],
    ['15m', 900],
    ['1h', 3600],
    ['1h30m', 5400],
    ['2d', 172800],
    [' 1H ', 3600],
    ['1h0m5s', 3605],
  ])('%s is %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toEqual({ status: 'success', seconds });
  });

  it.each([
    '',
    '15',
    'm',
    '1x',
    '-5m',
    '1.5h',
    '0s',
    '0h0m',
    '15 m',
    'm15',
    '1h1h',
    'x'.repeat(40),
  ])('%j is refused with a message that shows the accepted forms', (text) => {
    const parsed = parseDuration(text);
    expect(parsed.status).toBe('error');
    if (parsed.status === 'error') expect(parsed.message).toMatch(/90s|longer than 0s/);
  });

  it('never echoes more than 32 characters of the input', () => {
    const parsed = parseDuration(`secret-${'y'.repeat(100)}`);
    expect(parsed.status === 'error' && parsed.message.length).toBeLessThan(140);
  });
});

describe('formatting', () => {
  it.each([
    [0, '0s'],
    [42, '42s'],
    [60, '1m'],
    [61, '1m 1s'],
    [3600, '1h'],
    [3900, '1h 5m'],
    [-3, '0s'],
  ])('formatDuration(%i) = %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it.each([
    [0, '0:00'],
    [59.9, '0:59'],
    [125, '2:05'],
    [3725, '1:02:05'],
    [-1, '0:00'],
  ])('formatCountdown(%d) = %s', (seconds, text) => {
    expect(formatCountdown(seconds)).toBe(text);
  });
});
