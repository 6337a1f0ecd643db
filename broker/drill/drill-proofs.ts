/**
 * Proving access at a target with a drill's credential: `SELECT 1` on PostgreSQL, `ssh … true`,
 * an authenticated HTTP call, `sts:GetAccessKeyInfo` signed with the AWS session (denied by the
 * deny-by-`aws:TokenIssueTime` revocation recipe; the role must allow it). Each answers whether
 * access worked and a short reason; never a secret.
 */
import { GetAccessKeyInfoCommand, STSClient } from '@aws-sdk/client-sts';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Credential } from '../../protocol/broker-api.ts';
import { assertNever } from '../../protocol/errors.ts';
import { batchSshOptions, certificateLoginOptions } from '../providers/ssh/ssh-client-options.ts';

const run = promisify(execFile);

/** Where and how the drill proves access. */
export interface ProofOptions {
  /** For ssh: `user@host` (the port and host default to the target's connect settings). */
  sshLogin?: string | undefined;
  /** For jwt: a URL that answers 2xx to the bearer token and 401/403 without access. */
  httpUrl?: string | undefined;
  /** The device's SSH private key (OpenSSH format), for ssh proofs. */
  sshPrivateKey?: string | undefined;
  /** For aws: the STS endpoint (default: AWS's regional endpoint of the credential). */
  awsEndpoint?: string | undefined;
}

/** One proof's outcome: `null` when this kind cannot be proven (reason says why). */
export interface Proof {
  kind: string;
  access: boolean | null;
  detail: string;
}

type Member = Exclude<Credential, { kind: 'bundle' }>;

async function postgresProof(c: Extract<Credential, { kind: 'postgres' }>): Promise<Proof> {
  const client = new pg.Client({ ...c, ssl: false, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { kind: 'postgres', access: true, detail: `SELECT 1 as ${c.user}` };
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'refused';
    return { kind: 'postgres', access: false, detail: `login refused (${code})` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function sshProof(c: Extract<Credential, { kind: 'ssh' }>, o: ProofOptions): Promise<Proof> {
  const login = o.sshLogin ?? (c.host ? `${c.principals[0] ?? 'root'}@${c.host}` : undefined);
  if (!login || !o.sshPrivateKey)
    return { kind: 'ssh', access: null, detail: 'no --ssh-login and no host in the target' };
  const dir = mkdtempSync(join(tmpdir(), 'hourglass-drill-'));
  try {
    writeFileSync(join(dir, 'id'), o.sshPrivateKey, { mode: 0o600 });
    writeFileSync(join(dir, 'id-cert.pub'), `${c.certificate}\n`, { mode: 0o600 });
    const args = [
      ...batchSshOptions(c.port),
      ...certificateLoginOptions(join(dir, 'id'), join(dir, 'id-cert.pub')),
      '-o',
      'ConnectTimeout=5',
      login,
      'true',
    ];
    await run('ssh', args, { timeout: 15_000 });
    return { kind: 'ssh', access: true, detail: `ssh ${login} true` };
  } catch {
    return { kind: 'ssh', access: false, detail: `ssh ${login} refused` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function jwtProof(c: Extract<Credential, { kind: 'jwt' }>, o: ProofOptions): Promise<Proof> {
  if (!o.httpUrl) return { kind: 'jwt', access: null, detail: 'no --http-url to call' };
  try {
    const answer = await fetch(o.httpUrl, {
      headers: { authorization: `Bearer ${c.token}` },
      signal: AbortSignal.timeout(10_000),
    });
    return { kind: 'jwt', access: answer.ok, detail: `GET ${o.httpUrl}: HTTP ${answer.status}` };
  } catch {
    return { kind: 'jwt', access: false, detail: `GET ${o.httpUrl}: unreachable` };
  }
}

async function awsProof(c: Extract<Credential, { kind: 'aws' }>, o: ProofOptions): Promise<Proof> {
  const client = new STSClient({
    region: c.region ?? 'us-east-1',
    ...(o.awsEndpoint ? { endpoint: o.awsEndpoint } : {}),
    credentials: {
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      sessionToken: c.sessionToken,
    },
    maxAttempts: 1,
  });
  try {
    await client.send(new GetAccessKeyInfoCommand({ AccessKeyId: c.accessKeyId }));
    return { kind: 'aws', access: true, detail: `sts:GetAccessKeyInfo as ${c.roleArn}` };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'refused';
    return { kind: 'aws', access: false, detail: `sts:GetAccessKeyInfo refused (${name})` };
  } finally {
    client.destroy();
  }
}

function proveOne(c: Member, o: ProofOptions): Promise<Proof> {
  switch (c.kind) {
    case 'postgres':
      return postgresProof(c);
    case 'ssh':
      return sshProof(c, o);
    case 'jwt':
      return jwtProof(c, o);
    case 'aws':
      return awsProof(c, o);
    default:
      return assertNever(c);
  }
}

/** Proves every part of a credential (a bundle's each). */
export function prove(credential: Credential, options: ProofOptions): Promise<Proof[]> {
  const parts = credential.kind === 'bundle' ? credential.credentials : [credential];
  return Promise.all(parts.map((c) => proveOne(c, options)));
}
