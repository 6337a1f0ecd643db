/**
 * Pure formatting of export lines for a credential, for every shell `hourglass env` writes for.
 * The only producer of secret-bearing text. Every format quotes hostile values (quotes, `$`,
 * backticks, newlines) by its own rules; a value a format cannot carry is refused, never mangled.
 */
import type { Credential, Result, Shell } from '../protocol/index.ts';
import { assertNever, fail, ok } from '../protocol/index.ts';
import { credentialVariables } from './export-variables.ts';

export { pgpassLine, postgresUrl } from './export-variables.ts';

/** What an export script carries: the credential, its role and its broker deadline. */
export interface ExportInput {
  credential: Credential;
  role: string;
  expiresAt: string;
  sshPrivateKey?: string | undefined;
}

/** Quotes a value for POSIX shells: single quotes, with `'` written as `'\''`. */
export function quotePosix(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Quotes a value for fish: single quotes, with `\` and `'` backslash-escaped. */
export function quoteFish(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** Quotes a value for PowerShell: a verbatim single-quoted string, `'` doubled. */
export function quotePwsh(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (c) => `${c}${c}`)}'`;
}

/** Quotes a value for nushell: a raw string `r#'…'#` with more `#` than any run in the value. */
export function quoteNu(value: string): string {
  const longest = Math.max(0, ...[...value.matchAll(/'(#+)/g)].map((m) => m[1]?.length ?? 0));
  const hashes = '#'.repeat(longest + 1);
  return `r${hashes}'${value}'${hashes}`;
}

/**
 * Quotes a dotenv value as dotenv and Node's `util.parseEnv` read it: single quotes and backticks
 * are literal, double quotes turn `\n` into a newline and escape nothing else. Null when no
 * quoting carries the value unchanged.
 */
export function quoteDotenv(value: string): string | null {
  if (!/['\r\n]/.test(value)) return `'${value}'`;
  if (!/[`\r\n]/.test(value)) return `\`${value}\``;
  if (!/["\r]|\\n/.test(value)) return `"${value.replace(/\n/g, '\\n')}"`;
  return null;
}

// An env file line ends at \n (and a \r before it is dropped); NUL cannot be in an environment.
const ENV_FILE_UNSAFE = /[\r\n\0]/;

// cmd.exe has no escape inside `set "NAME=value"` for these: refuse rather than corrupt.
const CMD_UNSAFE = /["%!\r\n^]/;

function line(shell: Shell, name: string, value: string): Result<string> {
  switch (shell) {
    case 'bash':
    case 'zsh':
      return ok(`export ${name}=${quotePosix(value)}`);
    case 'fish':
      return ok(`set -gx ${name} ${quoteFish(value)}`);
    case 'pwsh':
      return ok(`$env:${name} = ${quotePwsh(value)}`);
    case 'nu':
      return ok(`$env.${name} = ${quoteNu(value)}`);
    case 'cmd':
      return CMD_UNSAFE.test(value)
        ? fail('bad_request', `${name} holds characters cmd.exe cannot carry; use --shell pwsh`)
        : ok(`set "${name}=${value}"`);
    case 'dotenv': {
      const quoted = quoteDotenv(value);
      return quoted === null
        ? fail('bad_request', `${name} cannot be written as a dotenv value; use --shell json`)
        : ok(`${name}=${quoted}`);
    }
    case 'env-file':
      // docker's --env-file reads each line as KEY=value, verbatim: no quotes, no escapes, so a
      // line break would end the value and start a line of its own (a second variable).
      return ENV_FILE_UNSAFE.test(value)
        ? fail(
            'bad_request',
            `${name} holds a line break, which an env file cannot carry; pass it from the environment instead: hourglass exec <role> -- docker run -e ${name} …`,
          )
        : ok(`${name}=${value}`);
    case 'json':
      return ok(`${JSON.stringify(name)}: ${JSON.stringify(value)}`);
    default:
      return assertNever(shell);
  }
}

/** Export lines for `eval "$(hourglass env <role>)"` in the given shell (`json`: one object). */
export function formatExport(input: ExportInput, shell: Shell): Result<string> {
  const lines: string[] = [];
  for (const [name, value] of credentialVariables(input)) {
    const written = line(shell, name, value);
    if (!written.ok) return written;
    lines.push(written.value);
  }
  if (shell === 'json') return ok(`{${lines.join(', ')}}\n`);
  return ok(`${lines.join('\n')}\n`);
}

/**
 * What `env` prints on stdout when it fails, so `eval "$(hourglass env …)"` fails visibly (a
 * non-zero status and the message) instead of evaluating nothing. The message is quoted as data.
 */
export function failureScript(shell: Shell, message: string): string {
  const text = `hourglass: ${message}`;
  switch (shell) {
    case 'bash':
    case 'zsh':
      return `printf '%s\\n' ${quotePosix(text)} >&2; false\n`;
    case 'fish':
      return `printf '%s\\n' ${quoteFish(text)} >&2; false\n`;
    case 'pwsh':
      return `Write-Error ${quotePwsh(text)}\n`;
    case 'nu':
      return `error make {msg: ${quoteNu(text)}}\n`;
    case 'cmd':
      return `echo hourglass: export failed, see the message above 1>&2 & exit /b 1\n`;
    case 'dotenv':
    case 'env-file':
    case 'json':
      return '';
    default:
      return assertNever(shell);
  }
}
