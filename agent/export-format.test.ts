import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Credential, Shell } from '../protocol/index.ts';
import { failureScript, formatExport, pgpassLine, quoteNu, quotePwsh } from './export-format.ts';

const canary = join(mkdtempSync(join(tmpdir(), 'hg-export-')), 'pwned');
const nasty = `ey.J'hb"G$(touch ${canary})\`touch ${canary}\`\\n;rm -rf ~ 'end\nline2 $HOME %PATH% !x! ^`;
const jwt = (token: string): Credential => ({
  kind: 'jwt',
  token,
  tokenType: 'Bearer',
  audience: 'a',
});
const input = {
  credential: jwt(nasty),
  role: 'prod-api-readonly',
  expiresAt: '2030-01-01T12:00:00.000Z',
};
const printVars =
  'printf "%s|%s|%s" "$HOURGLASS_TOKEN" "$HOURGLASS_TOKEN_EXPIRES_AT" "$HOURGLASS_ROLE"';
const expected = `${nasty}|2030-01-01T12:00:00.000Z|prod-api-readonly`;

function text(shell: Shell, credential: Credential = input.credential): string {
  const written = formatExport({ ...input, credential }, shell);
  if (!written.ok) throw new Error(written.error.message);
  return written.value;
}

describe('formatExport', () => {
  it('writes export lines for bash', () => {
    expect(text('bash', jwt('abc'))).toBe(
      "export HOURGLASS_TOKEN='abc'\n" +
        "export HOURGLASS_TOKEN_EXPIRES_AT='2030-01-01T12:00:00.000Z'\n" +
        "export HOURGLASS_ROLE='prod-api-readonly'\n",
    );
  });

  for (const shell of ['bash', 'zsh'] as const) {
    it.runIf(existsSync(`/usr/bin/${shell}`))(
      `round-trips hostile values through eval in ${shell}`,
      () => {
        const out = execFileSync(shell, ['-c', `eval "$1"; ${printVars}`, shell, text(shell)], {
          encoding: 'utf8',
        });
        expect(out).toBe(expected);
        expect(existsSync(canary)).toBe(false);
      },
    );
  }

  it.runIf(existsSync('/usr/bin/fish'))('round-trips hostile values through eval in fish', () => {
    const out = execFileSync('fish', ['-c', `eval $argv[1]; ${printVars}`, text('fish')], {
      encoding: 'utf8',
    });
    expect(out).toBe(expected);
    expect(existsSync(canary)).toBe(false);
  });

  it('PowerShell: verbatim single quotes, quote characters doubled (its quoting rules)', () => {
    expect(quotePwsh(`a'b‘c$x\`n`)).toBe(`'a''b‘‘c$x\`n'`);
    // Read back by the rule: inside '…', '' is one quote and nothing else is special.
    const match = /^\$env:HOURGLASS_TOKEN = '((?:[^']|'')*)'$/m.exec(text('pwsh'));
    expect(match?.[1]?.replace(/''/g, "'")).toBe(nasty);
  });

  it('nushell: a raw string with more # than any run in the value (its quoting rules)', () => {
    expect(quoteNu(`x'#y`)).toBe(`r##'x'#y'##`);
    expect(quoteNu('plain')).toBe(`r#'plain'#`);
    // Read back by the rule: r#'…'# ends at the first ' followed by as many # as it opened with.
    const match = /^\$env\.HOURGLASS_TOKEN = r(#+)'([\s\S]*?)'\1$/m.exec(text('nu'));
    expect(match?.[2]).toBe(nasty);
  });

  it('cmd: writes set "NAME=value" for safe values, refuses what cmd.exe cannot carry', () => {
    expect(text('cmd', jwt('eyJ.abc-_'))).toContain('set "HOURGLASS_TOKEN=eyJ.abc-_"\n');
    for (const bad of ['a"b', '50%', 'x!y!', 'a\nb', 'a^b']) {
      const written = formatExport({ ...input, credential: jwt(bad) }, 'cmd');
      expect(written.ok).toBe(false);
      expect(written.ok ? '' : written.error.message).not.toContain(bad);
    }
  });

  it('dotenv: read back unchanged by the runtime’s own dotenv parser, or refused', () => {
    for (const value of ["it's $x `y`", 'a "b" `c`', "new\nline 'q' `b`", 'plain']) {
      const parsed = parseEnv(text('dotenv', jwt(value)));
      expect(parsed.HOURGLASS_TOKEN).toBe(value);
    }
    expect(formatExport({ ...input, credential: jwt(`'\`"\n`) }, 'dotenv').ok).toBe(false);
  });

  it('env-file (docker --env-file): KEY=value verbatim, no quoting; a line break is refused by name, never half written', () => {
    const value = `it's "q" $HOME \`id\` \\ two  spaces # not a comment `;
    expect(text('env-file', jwt(value))).toBe(
      `HOURGLASS_TOKEN=${value}\n` +
        'HOURGLASS_TOKEN_EXPIRES_AT=2030-01-01T12:00:00.000Z\n' +
        'HOURGLASS_ROLE=prod-api-readonly\n',
    );
    // Env-file injection: a newline would end the value and start a variable of its own.
    for (const bad of ['a\nINJECTED=1', 'a\rb', 'a\r\nb', 'nul\0x']) {
      const written = formatExport({ ...input, credential: jwt(bad) }, 'env-file');
      expect(written.ok).toBe(false);
      const message = written.ok ? '' : written.error.message;
      expect(message).toContain('HOURGLASS_TOKEN holds a line break');
      expect(message).not.toContain('INJECTED');
    }
    expect(failureScript('env-file', 'x')).toBe('');
  });

  it('aws: AWS_DEFAULT_REGION beside AWS_REGION (botocore, boto3 and aws-cli v1 read only the former)', () => {
    const aws: Credential = {
      kind: 'aws',
      accessKeyId: 'ASIAX',
      secretAccessKey: 's',
      sessionToken: 't',
      expiration: '2030-01-01T12:00:00.000Z',
      region: 'eu-central-1',
      roleArn: 'arn:aws:iam::123456789012:role/r',
    };
    expect(JSON.parse(text('json', aws))).toMatchObject({
      AWS_REGION: 'eu-central-1',
      AWS_DEFAULT_REGION: 'eu-central-1',
    });
  });

  it('json: one object with every variable', () => {
    expect(JSON.parse(text('json'))).toEqual({
      HOURGLASS_TOKEN: nasty,
      HOURGLASS_TOKEN_EXPIRES_AT: input.expiresAt,
      HOURGLASS_ROLE: 'prod-api-readonly',
    });
  });

  it('postgres: PG* variables, DATABASE_URL and a .pgpass line', () => {
    const pgc: Credential = {
      kind: 'postgres',
      host: '127.0.0.1',
      port: 5432,
      database: 'orders',
      user: 'hg_alice_1',
      password: 'p:w@/\\x',
    };
    const vars = JSON.parse(text('json', pgc)) as Record<string, string>;
    expect(vars).toMatchObject({ PGHOST: '127.0.0.1', PGPORT: '5432', PGUSER: 'hg_alice_1' });
    expect(vars.DATABASE_URL).toBe('postgresql://hg_alice_1:p%3Aw%40%2F%5Cx@127.0.0.1:5432/orders');
    expect(new URL(vars.DATABASE_URL ?? '').password).toBe('p%3Aw%40%2F%5Cx');
    if (pgc.kind === 'postgres')
      expect(pgpassLine(pgc)).toBe('127.0.0.1:5432:orders:hg_alice_1:p\\:w@/\\\\x');
  });
});

describe('failureScript: eval "$(hourglass env …)" fails visibly', () => {
  for (const shell of ['bash', 'zsh'] as const) {
    it.runIf(existsSync(`/usr/bin/${shell}`))(
      `${shell}: non-zero and the message on stderr`,
      () => {
        const script = failureScript(shell, `no grant 'x' $(touch ${canary})`);
        let status = 0;
        let stderr = '';
        try {
          execFileSync(shell, ['-c', 'eval "$1" && echo ran', shell, script], {
            encoding: 'utf8',
            stdio: 'pipe',
          });
        } catch (error) {
          status = (error as { status: number }).status;
          stderr = String((error as { stderr: string }).stderr);
        }
        expect(status).not.toBe(0);
        expect(stderr).toContain(`hourglass: no grant 'x' $(touch ${canary})`);
        expect(existsSync(canary)).toBe(false);
      },
    );
  }

  it.runIf(existsSync('/usr/bin/fish'))('fish: non-zero and the message on stderr', () => {
    let status = 0;
    try {
      execFileSync(
        'fish',
        ['-c', 'eval $argv[1]; and echo ran', failureScript('fish', "it's gone")],
        {
          stdio: 'pipe',
        },
      );
    } catch (error) {
      status = (error as { status: number }).status;
    }
    expect(status).not.toBe(0);
  });
});
