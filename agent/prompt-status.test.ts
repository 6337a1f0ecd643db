import { describe, expect, it } from 'vitest';
import { formatLeft, formatPromptStatus } from './prompt-status.ts';
import { localGrantFixture } from './test-support.ts';

const now = Date.parse('2030-01-01T00:00:00Z');
const grant = (role: string, leftMs: number, extra = {}) =>
  localGrantFixture({
    id: role,
    role,
    expiresAt: new Date(now + leftMs).toISOString(),
    ...extra,
  });

describe('prompt segment', () => {
  it.each([
    [59_999, '<1m'],
    [60_000, '1m'],
    [12 * 60_000 + 59_000, '12m'],
    [65 * 60_000, '1h05m'],
    [10 * 3600_000, '10h00m'],
  ])('%d ms left reads %s', (ms, text) => expect(formatLeft(ms)).toBe(text));

  it('shows the held grant expiring first and how many more; nothing when none is held', () => {
    expect(formatPromptStatus([], now)).toBe('');
    expect(
      formatPromptStatus(
        [
          grant('prod-api-admin', 30 * 60_000),
          grant('prod-db', 12 * 60_000 + 30_000),
          grant('not-fetched', 60_000, { credentialStored: false }),
          grant('gone', 60_000, { status: 'revoked' }),
          grant('past', -1000),
        ],
        now,
      ),
    ).toBe('prod-db 12m +1');
  });
});
