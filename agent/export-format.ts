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
    case 'postgres':
      return [
        ['PGHOST', credential.host],
        ['PGPORT', String(credential.port)],
        ['PGDATABASE', credential.database],
        ['PGUSER', credential.user],
        ['PGPASSWORD', credential.password],
        ...(credential.sslmode ? [['PGSSLMODE', credential.sslmode] as [string, string]] : []),
        ['DATABASE_URL', postgresUrl(credential)],
        ['HOURGLASS_EXPIRES_AT', input.expiresAt],
        ['HOURGLASS_ROLE', input.role],
      ];
    case 'ssh':
      // The certificate is public; the private key stays in the keychain (`hourglass ssh`).
      return [
        ['HOURGLASS_SSH_CERTIFICATE', credential.certificate],
        ['HOURGLASS_SSH_PRINCIPALS', credential.principals.join(',')],
        ['HOURGLASS_EXPIRES_AT', input.expiresAt],
        ['HOURGLASS_ROLE', input.role],
      ];
    default:
      return assertNever(credential);
  }
}

type PostgresCredential = Extract<Credential, { kind: 'postgres' }>;

/** `postgresql://user:password@host:port/database`, every part percent-encoded. */
export function postgresUrl(c: PostgresCredential): string {
  const host = c.host.includes(':') ? `[${c.host}]` : c.host;
  const e = encodeURIComponent;
  const ssl = c.sslmode ? `?sslmode=${e(c.sslmode)}` : '';
  return `postgresql://${e(c.user)}:${e(c.password)}@${host}:${String(c.port)}/${e(c.database)}${ssl}`;
}

/** A `.pgpass` line (`host:port:database:user:password`, `:` and `\` escaped). */
export function pgpassLine(c: PostgresCredential): string {
  const e = (v: string) => v.replace(/[\\:]/g, (ch) => `\\${ch}`);
  return [c.host, String(c.port), c.database, c.user, c.password].map(e).join(':');
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
