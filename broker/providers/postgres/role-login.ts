/**
 * The temporary login of a grant: its role name and password, both derived from the grant, so an
 * issue retried from the outbox, a fetch and an extension all agree, and no password is stored.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** Prefix of every role the provider creates (and the only roles it ever drops). */
export const ROLE_PREFIX = 'hg_';

/** `hg_<user>_<grant hash>`: readable, at most 40 bytes, only [a-z0-9_] whatever the user's name. */
export function loginRoleName(grant: { id: string; subject: string }): string {
  const user =
    grant.subject
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')
      .slice(0, 20) || 'user';
  const hash = createHash('sha256').update(grant.id).digest('hex').slice(0, 16);
  return `${ROLE_PREFIX}${user}_${hash}`;
}

/** 32 bytes from HMAC-SHA256(the broker's provider key, target + grant id), base64url. */
export function loginPassword(key: Buffer, target: string, grantId: string): string {
  return createHmac('sha256', key).update(`postgres:${target}:${grantId}`).digest('base64url');
}

/**
 * The SCRAM-SHA-256 verifier of `password` (what PostgreSQL stores): sent instead of the password,
 * so the clear text never reaches the server's statement log.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16)): string {
  const iterations = 4096;
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  const b64 = (b: Buffer) => b.toString('base64');
  return `SCRAM-SHA-256$${iterations}:${b64(salt)}$${b64(storedKey)}:${b64(serverKey)}`;
}
