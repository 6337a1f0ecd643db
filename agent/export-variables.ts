/** The environment variables each credential kind exports, in order. Pure. */
import type { Credential } from '../protocol/index.ts';
import { assertNever } from '../protocol/index.ts';

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

/** Name/value pairs for a credential, its role and deadline. */
export function credentialVariables(input: {
  credential: Credential;
  role: string;
  expiresAt: string;
  /** Only for `hourglass ssh`, which writes it to a 0600 file for the session's length. */
  sshPrivateKey?: string | undefined;
}): Array<[string, string]> {
  const { credential } = input;
  const common: Array<[string, string]> = [
    ['HOURGLASS_EXPIRES_AT', input.expiresAt],
    ['HOURGLASS_ROLE', input.role],
  ];
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
        ...common,
      ];
    case 'ssh':
      // The certificate is public; the private key stays in the keychain (`hourglass ssh`).
      return [
        ['HOURGLASS_SSH_CERTIFICATE', credential.certificate],
        ['HOURGLASS_SSH_PRINCIPALS', credential.principals.join(',')],
        ...(credential.host ? [['HOURGLASS_SSH_HOST', credential.host] as [string, string]] : []),
        ...(credential.port
          ? [['HOURGLASS_SSH_PORT', String(credential.port)] as [string, string]]
          : []),
        ...(input.sshPrivateKey
          ? [['HOURGLASS_SSH_PRIVATE_KEY', input.sshPrivateKey] as [string, string]]
          : []),
        ...common,
      ];
    case 'aws':
      return [
        ['AWS_ACCESS_KEY_ID', credential.accessKeyId],
        ['AWS_SECRET_ACCESS_KEY', credential.secretAccessKey],
        ['AWS_SESSION_TOKEN', credential.sessionToken],
        ['AWS_CREDENTIAL_EXPIRATION', credential.expiration],
        // Both: the v2 CLI and newer SDKs read AWS_REGION; botocore, boto3 and aws-cli v1 only
        // AWS_DEFAULT_REGION ("You must specify a region").
        ...(credential.region
          ? [
              ['AWS_REGION', credential.region] as [string, string],
              ['AWS_DEFAULT_REGION', credential.region] as [string, string],
            ]
          : []),
        ...common,
      ];
    case 'bundle': {
      // Every entitlement's variables; a name two of them share is written once (the first).
      const seen = new Set<string>();
      return credential.credentials
        .flatMap((member) => credentialVariables({ ...input, credential: member }))
        .filter(([name]) => !seen.has(name) && Boolean(seen.add(name)));
    }
    default:
      return assertNever(credential);
  }
}
