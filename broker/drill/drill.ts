/**
 * `hourglass-broker drill --role <id>`: a rehearsal against a live broker and its targets, as a
 * drill identity: check the providers' health, request, prove access, revoke, prove access is
 * refused, print a report. Any
 * failure answers non-zero (for cron or CI against staging).
 */
import { exec } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import sshpk from 'sshpk';
import {
  credentialsResponseSchema,
  grantResponseSchema,
  IDEMPOTENCY_HEADER,
  type Credential,
} from '../../protocol/broker-api.ts';
import { checkProviderHealth } from './drill-health.ts';
import { prove, type Proof, type ProofOptions } from './drill-proofs.ts';

/** What the drill needs. */
export interface DrillOptions extends Omit<ProofOptions, 'sshPrivateKey'> {
  brokerUrl: string;
  role: string;
  /** The drill identity's access token for the broker. */
  token: string;
  /** How long to wait for access to be refused after the revocation (seconds). */
  waitSeconds: number;
  /** A shell command run once after the revocation (e.g. the KRL sync recipe). */
  afterRevoke?: string | undefined;
  out: (line: string) => void;
}

class DrillFailure extends Error {}

async function call(o: DrillOptions, path: string, body: unknown, key?: string): Promise<unknown> {
  const answer = await fetch(`${o.brokerUrl}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${o.token}`,
      'content-type': 'application/json',
      ...(key ? { [IDEMPOTENCY_HEADER]: key } : {}),
    },
    body: JSON.stringify(body),
  });
  const json: unknown = await answer.json().catch(() => null);
  if (!answer.ok) {
    const message = (json as { error?: { message?: string } } | null)?.error?.message;
    throw new DrillFailure(`${path}: HTTP ${answer.status} ${message ?? ''}`.trim());
  }
  return json;
}

const report = (o: DrillOptions, proofs: Proof[], phase: string) => {
  for (const p of proofs)
    o.out(
      `${p.access === null ? 'SKIP' : 'INFO'} ${phase} ${p.kind}: ${p.access === null ? p.detail : `access ${p.access ? 'works' : 'refused'} — ${p.detail}`}`,
    );
};

async function refusedWithin(
  o: DrillOptions,
  credential: Credential,
  opts: ProofOptions,
): Promise<Proof[]> {
  const deadline = Date.now() + o.waitSeconds * 1000;
  for (;;) {
    const proofs = await prove(credential, opts);
    if (proofs.every((p) => p.access !== true) || Date.now() > deadline) return proofs;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function issueAndProve(
  o: DrillOptions,
  opts: ProofOptions,
  publicKey: string,
  held: { grantId?: string },
): Promise<Credential> {
  const created = grantResponseSchema.parse(
    await call(
      o,
      '/v1/requests',
      { role: o.role, durationSeconds: 600, reason: 'hourglass drill' },
      `drill-${randomBytes(12).toString('base64url')}`,
    ),
  ).grant;
  held.grantId = created.id;
  if (created.status !== 'active')
    throw new DrillFailure(
      `grant ${created.id} is ${created.status}; a drill role must need no approval`,
    );
  o.out(`PASS request ${o.role}: grant ${created.id} active`);
  const issued = credentialsResponseSchema.parse(
    await call(o, `/v1/grants/${created.id}/credentials`, { publicKey }),
  );
  const before = await prove(issued.credential, opts);
  report(o, before, 'while active');
  if (before.some((p) => p.access === false))
    throw new DrillFailure('access did not work while active');
  if (!before.some((p) => p.access === true)) throw new DrillFailure('no access could be proven');
  o.out('PASS access while active');
  return issued.credential;
}

async function revokeAndProve(
  o: DrillOptions,
  opts: ProofOptions,
  credential: Credential,
  held: { grantId?: string },
): Promise<void> {
  const grantId = held.grantId ?? '';
  await call(o, `/v1/grants/${grantId}/revoke`, { reason: 'hourglass drill' });
  delete held.grantId;
  o.out(`PASS revoke ${grantId}`);
  if (o.afterRevoke) await promisify(exec)(o.afterRevoke, { timeout: 60_000 });
  const after = await refusedWithin(o, credential, opts);
  report(o, after, 'after revoke');
  if (after.some((p) => p.access === true))
    throw new DrillFailure(
      `access still works ${o.waitSeconds}s after the revocation: revocation is broken`,
    );
  o.out('PASS refused after revoke');
}

/** Runs the drill; answers the exit code (0 only when every step passed). */
export async function runDrill(o: DrillOptions): Promise<number> {
  const started = Date.now();
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const key = sshpk.parsePrivateKey(pem, 'pem');
  const opts: ProofOptions = { ...o, sshPrivateKey: key.toString('openssh') };
  const held: { grantId?: string } = {};
  try {
    const down = await checkProviderHealth(o);
    if (down) throw new DrillFailure(down);
    const credential = await issueAndProve(o, opts, key.toPublic().toString('ssh'), held);
    await revokeAndProve(o, opts, credential, held);
    o.out(`DRILL PASSED in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return 0;
  } catch (error) {
    o.out(`FAIL ${error instanceof Error ? error.message : 'unknown failure'}`);
    const left = held.grantId;
    if (left)
      await call(o, `/v1/grants/${left}/revoke`, { reason: 'drill failed' }).catch(() => undefined);
    o.out('DRILL FAILED');
    return 1;
  }
}
