/**
 * The device's SSH key for an `ssh` grant: made here, kept with the grant's secret next to
 * its certificate (so the deadline's wipe removes both), and only its public half is sent to the
 * broker. Extend re-signs the same key: a later fetch reuses the key already held.
 */
import { generateKeyPairSync } from 'node:crypto';
import sshpk from 'sshpk';
import { z } from 'zod';
import type { Credential, Grant, IssueCredentialsBody, Result } from '../protocol/index.ts';
import { ok } from '../protocol/index.ts';
import type { GrantSecrets } from './grant-secrets.ts';

const heldKeySchema = z.object({ sshPrivateKey: z.string().min(1) });

/** What a grant's secret holds: the credential, plus the private key for ssh grants. */
export function secretText(credential: Credential, sshPrivateKey: string | null): string {
  return JSON.stringify(sshPrivateKey ? { ...credential, sshPrivateKey } : credential);
}

/** The private key (OpenSSH format) in a grant secret's text, if any. */
export function heldPrivateKey(text: string | null): string | null {
  if (text === null) return null;
  try {
    const parsed = heldKeySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.sshPrivateKey : null;
  } catch {
    return null;
  }
}

/** A fresh ed25519 key pair: the private key in OpenSSH format, the public key line. */
export function newDeviceKey(comment: string): { privateKey: string; publicKey: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const key = sshpk.parsePrivateKey(pem, 'pem');
  key.comment = comment;
  return { privateKey: key.toString('openssh'), publicKey: key.toPublic().toString('ssh') };
}

/** The fetch body for `grant` and the private key to keep with its credential (null if none). */
export async function deviceKeyFor(
  secrets: Pick<GrantSecrets, 'read'>,
  grant: Pick<Grant, 'id' | 'provider'>,
): Promise<Result<{ body: IssueCredentialsBody; privateKey: string | null }>> {
  // A bundle may hold an ssh entitlement: the broker signs the key only where one does.
  if (grant.provider !== 'ssh' && grant.provider !== 'bundle')
    return ok({ body: {}, privateKey: null });
  const held = await secrets.read(grant.id);
  if (!held.ok) return held;
  const existing = heldPrivateKey(held.value);
  if (existing) {
    const publicKey = sshpk.parsePrivateKey(existing, 'openssh').toPublic().toString('ssh');
    return ok({ body: { publicKey }, privateKey: existing });
  }
  const made = newDeviceKey(`hourglass:${grant.id}`);
  return ok({ body: { publicKey: made.publicKey }, privateKey: made.privateKey });
}
