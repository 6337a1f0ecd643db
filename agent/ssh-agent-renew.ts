/**
 * After an extension, the key `hourglass ssh --agent` put into an ssh-agent would still vanish at
 * the old deadline (ssh-add's lifetime), and its certificate would be the old one. So the agent
 * adds the key and the re-issued certificate again, with a lifetime to the new deadline (an
 * ssh-agent that holds a key replaces its lifetime), and takes the old certificate out. Added
 * even where the key is gone: an extension just before the deadline may be handled after the
 * ssh-agent dropped the key at its first lifetime, and the user asked for it until the deadline.
 * Speaks the agent protocol (SSH_AGENTC_ADD_ID_CONSTRAINED) directly: the private key goes over
 * the ssh-agent's socket, never into a file.
 */
import sshpk from 'sshpk';
import type { Credential } from '../protocol/index.ts';
import {
  agentMessage,
  exchangeWithSshAgent,
  rememberSshAgentKey,
  removeFromSshAgent,
  sshAgentEntries,
  sshString,
  successes,
  withGrantSshAgents,
} from './ssh-agent-keys.ts';

const ADD_ID_CONSTRAINED = 25;
const CONSTRAIN_LIFETIME = 1;

/** A grant's key and its re-issued certificate, until `expiresAt`. */
export interface RenewedKey {
  /** OpenSSH private key (the device's ed25519 key). */
  privateKey: string;
  /** The certificate line (`ssh-ed25519-cert-v01@openssh.com AAAA… <key id>`). */
  certificate: string;
  expiresAt: string;
}

/** The certificate line of an ssh credential (or of a bundle's ssh member); null when none. */
export function sshCertificateOf(credential: Credential): string | null {
  if (credential.kind === 'ssh') return credential.certificate;
  if (credential.kind !== 'bundle') return null;
  const member = credential.credentials.find((c) => c.kind === 'ssh');
  return member?.kind === 'ssh' ? member.certificate : null;
}

const text = (value: string) => sshString(Buffer.from(value));

/** The two add messages (key, key with certificate) with a lifetime of `seconds`. */
function addMessages(key: sshpk.PrivateKey, certificate: Buffer, seconds: number): Buffer[] {
  const part = (name: string) => key.parts.find((p) => p.name === name)?.data ?? Buffer.alloc(0);
  const [publicPart, seed] = [part('A'), part('k')];
  const lifetime = Buffer.alloc(5);
  lifetime.writeUInt8(CONSTRAIN_LIFETIME, 0);
  lifetime.writeUInt32BE(seconds, 1);
  const secret = Buffer.concat([
    sshString(publicPart),
    sshString(Buffer.concat([seed, publicPart])),
  ]);
  const comment = text(key.comment || 'hourglass');
  const plain = [text('ssh-ed25519'), secret, comment, lifetime];
  const cert = [text('ssh-ed25519-cert-v01@openssh.com'), sshString(certificate)];
  return [
    agentMessage(ADD_ID_CONSTRAINED, Buffer.concat(plain)),
    agentMessage(ADD_ID_CONSTRAINED, Buffer.concat([...cert, secret, comment, lifetime])),
  ];
}

/**
 * Gives `grantId`'s key in each ssh-agent it was added to the renewed certificate and a lifetime
 * to `renewed.expiresAt` (`brokerNow`: the broker's now, epoch ms). Answers how many ssh-agents
 * were renewed.
 */
export async function renewSshAgentKeys(
  dataDir: string,
  grantId: string,
  renewed: RenewedKey,
  brokerNow: number,
): Promise<number> {
  const seconds = Math.floor((Date.parse(renewed.expiresAt) - brokerNow) / 1000);
  const certificate = renewed.certificate.trim().split(/\s+/)[1];
  if (!(seconds > 0) || !certificate) return 0;
  let key: sshpk.PrivateKey;
  try {
    key = sshpk.parsePrivateKey(renewed.privateKey, 'openssh');
  } catch {
    return 0;
  }
  if (key.type !== 'ed25519') return 0;
  const keyBlob = key.toPublic().toBuffer('rfc4253').toString('base64');
  const messages = addMessages(key, Buffer.from(certificate, 'base64'), seconds);
  return withGrantSshAgents(dataDir, grantId, () =>
    renewIn(dataDir, grantId, { keyBlob, certificate, messages }),
  );
}

/** Renews the key in each remembered ssh-agent (under the grant's lock). */
async function renewIn(
  dataDir: string,
  grantId: string,
  add: { keyBlob: string; certificate: string; messages: Buffer[] },
): Promise<number> {
  const { keyBlob, certificate, messages } = add;
  let count = 0;
  for (const entry of sshAgentEntries(dataDir, grantId)) {
    if (successes(await exchangeWithSshAgent(entry.socket, messages)) < messages.length) continue;
    const stale = entry.blobs.filter((b) => b !== keyBlob && b !== certificate);
    await removeFromSshAgent(
      entry.socket,
      stale.map((b) => Buffer.from(b, 'base64')),
    );
    rememberSshAgentKey(dataDir, grantId, { socket: entry.socket, blobs: [keyBlob, certificate] });
    count += 1;
  }
  return count;
}
