import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatExport } from './export-format.ts';

const nasty = `ey.J'hb"G$(touch /tmp/pwned)\`x\`\\n;rm -rf ~ 'end`;
const input = {
  credential: { kind: 'jwt' as const, token: nasty, tokenType: 'Bearer' as const, audience: 'a' },
  role: 'prod-api-readonly',
  expiresAt: '2030-01-01T12:00:00.000Z',
};
const printVars =
  'printf "%s|%s|%s" "$HOURGLASS_TOKEN" "$HOURGLASS_TOKEN_EXPIRES_AT" "$HOURGLASS_ROLE"';
const expected = `${nasty}|2030-01-01T12:00:00.000Z|prod-api-readonly`;

describe('formatExport', () => {
  it('writes export lines for bash', () => {
    expect(
      formatExport({ ...input, credential: { ...input.credential, token: 'abc' } }, 'bash'),
    ).toBe(
      "export HOURGLASS_TOKEN='abc'\n" +
        "export HOURGLASS_TOKEN_EXPIRES_AT='2030-01-01T12:00:00.000Z'\n" +
        "export HOURGLASS_ROLE='prod-api-readonly'\n",
    );
  });

  it('writes set -gx lines for fish', () => {
    expect(formatExport(input, 'fish')).toMatch(/^set -gx HOURGLASS_TOKEN '/);
  });

  for (const shell of ['bash', 'zsh'] as const) {
    it.runIf(existsSync(`/usr/bin/${shell}`) || shell === 'bash')(
      `round-trips hostile values through eval in ${shell}`,
      () => {
        const script = formatExport(input, shell);
        const out = execFileSync(shell, ['-c', `eval "$1"; ${printVars}`, shell, script], {
          encoding: 'utf8',
        });
        expect(out).toBe(expected);
        expect(existsSync('/tmp/pwned')).toBe(false);
      },
    );
  }

  it.runIf(existsSync('/usr/bin/fish'))('round-trips hostile values through eval in fish', () => {
    const script = formatExport(input, 'fish');
    const out = execFileSync('fish', ['-c', `eval $argv[1]; ${printVars}`, script], {
      encoding: 'utf8',
    });
    expect(out).toBe(expected);
    expect(existsSync('/tmp/pwned')).toBe(false);
  });
});
