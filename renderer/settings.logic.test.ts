import { describe, expect, it } from 'vitest';
import {
  appSettingsSchema,
  formatWarnMarks,
  parseWarnMarks,
  settingsChangeSchema,
} from './settings.logic.ts';

describe('settings', () => {
  it('defaults, and a bad value is refused rather than half-trusted', () => {
    expect(appSettingsSchema.parse({})).toEqual({
      defaultShell: 'bash',
      launchAtLogin: false,
      wipeOnLock: false,
      lastRequests: {},
    });
    expect(appSettingsSchema.safeParse({ defaultShell: 'powershell; rm' }).success).toBe(false);
    expect(appSettingsSchema.safeParse({ lastRequests: { 'Bad Role': {} } }).success).toBe(false);
  });

  it('the window may not write lastRequests or unknown keys', () => {
    expect(settingsChangeSchema.safeParse({ lastRequests: {} }).success).toBe(false);
    expect(settingsChangeSchema.safeParse({ wipeOnLock: true }).success).toBe(true);
  });

  it('parses warning marks, largest first, and says what is wrong', () => {
    expect(parseWarnMarks('2m, 10m,2m')).toEqual({ status: 'success', seconds: [600, 120] });
    expect(parseWarnMarks('')).toMatchObject({ status: 'error' });
    expect(parseWarnMarks('soon')).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/not a duration/),
    });
    expect(parseWarnMarks('2d')).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/1 day/),
    });
    expect(formatWarnMarks([5400, 120])).toBe('1h30m, 2m');
  });
});
