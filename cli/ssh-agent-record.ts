/**
 * After `hourglass ssh --agent` added a grant's key and certificate to the running ssh-agent:
 * note which ssh-agent holds them, so the agent's wipe of that grant (an early revoke, I'm done,
 * sign-out) takes them out again instead of leaving them until their lifetime ends.
 */
import { resolve } from 'node:path';
import sshpk from 'sshpk';
import type { AgentHandlers } from '../protocol/index.ts';
import { resolveDataDir } from '../agent/config.ts';
import { rememberSshAgentKey } from '../agent/ssh-agent-keys.ts';

/** What was added: the grant's role and deadline, its private key and certificate line. */
export interface AddedKey {
  role: string;
  expiresAt: string;
  privateKey: string;
  certificate: string;
}

/** Records the ssh-agent of `env` as holding `added`; answers whether it could. */
export async function recordSshAgentKey(
  agent: AgentHandlers,
  env: NodeJS.ProcessEnv,
  added: AddedKey,
): Promise<boolean> {
  const socket = env.SSH_AUTH_SOCK;
  if (!socket) return false;
  const snapshot = await agent.getSnapshot({});
  // The grant exportGrant answered for: this role's held credential with this deadline.
  const grant = snapshot.ok
    ? snapshot.value.grants.find(
        (g) => g.role === added.role && g.credentialStored && g.expiresAt === added.expiresAt,
      )
    : undefined;
  const certBlob = added.certificate.trim().split(/\s+/)[1];
  if (!grant || !certBlob) return false;
  try {
    const keyBlob = sshpk
      .parsePrivateKey(added.privateKey, 'openssh')
      .toPublic()
      .toBuffer('rfc4253')
      .toString('base64');
    rememberSshAgentKey(resolveDataDir(env), grant.id, {
      socket: resolve(socket),
      blobs: [keyBlob, certBlob],
    });
    return true;
  } catch {
    return false;
  }
}
