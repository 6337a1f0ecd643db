/** Pure formatting of shell export lines for a credential. The only producer of secret-bearing text. */
import type { Credential, Shell } from '../protocol/index.ts';
import { assertNever } from '../protocol/index.ts';

/** What an export script carries: the credential, its role and its broker deadline. */
export interface ExportInput {
  credential: Credential;
  role: string;
  expiresAt: string;
}

/** Quotes a value for POSIX shells: single quotes, with `'` written as `'\''`. */
export function quotePosix(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Quotes a value for fish: single quotes, with `\` and `'` backslash-escaped. */
export function quoteFish(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

function variablesFor(input: ExportInput): Array<[string, string]> {
  const { credential } = input;
  switch (credential.kind) {
    case 'jwt':
      return [
        ['HOURGLASS_TOKEN', credential.token],
        ['HOURGLASS_TOKEN_EXPIRES_AT', input.expiresAt],
        ['HOURGLASS_ROLE', input.role],
      ];
    default:
      return assertNever(credential.kind);
  }
}

/** Export lines for `eval "$(hourglass env <role>)"` in the given shell. */
export function formatExport(input: ExportInput, shell: Shell): string {
  const lines = variablesFor(input).map(([name, value]) => {
    switch (shell) {
      case 'bash':
      case 'zsh':
        return `export ${name}=${quotePosix(value)}`;
      case 'fish':
        return `set -gx ${name} ${quoteFish(value)}`;
      default:
        return assertNever(shell);
    }
  });
  return `${lines.join('\n')}\n`;
}
