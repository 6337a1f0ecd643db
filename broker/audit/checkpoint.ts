/**
 * Signed checkpoints of the audit chain: the head (sequence number and hash) at a moment, signed
 * with the broker's ES256 key. Whoever rewrites the chain (re-hashing every record with the
 * project's own function) or cuts its tail cannot make the signed heads match without the key.
 */
import { createHash } from 'node:crypto';
import { CompactSign, compactVerify, importJWK, type JWK } from 'jose';
import { z } from 'zod';
import { canonicalJson, GENESIS_HASH } from './audit-chain.ts';

/**
 * What a checkpoint signs. `prev` is the digest of the checkpoint signed before it (GENESIS_HASH
 * for the first), so checkpoints form a signed chain, as CloudTrail digest files do: a checkpoint
 * removed from the middle of the chain, here or at a witness, breaks the next one's link.
 * Checkpoints signed before the chain existed carry none.
 */
export interface CheckpointPayload {
  at: string;
  headSeq: number;
  headHash: string;
  prev?: string;
}

const payloadSchema = z.strictObject({
  at: z.string(),
  headSeq: z.number().int().min(0),
  headHash: z.string(),
  prev: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});

/** The digest the next checkpoint chains to: sha256 of this one's compact JWS, hex. */
export function checkpointDigest(signature: string): string {
  return createHash('sha256').update(signature).digest('hex');
}

/** What the first checkpoint of a chain links to. */
export const FIRST_CHECKPOINT_PREV = GENESIS_HASH;

/** Signs `payload` with the broker's private key (compact JWS, ES256). */
export async function signCheckpoint(
  payload: CheckpointPayload,
  key: { kid: string; privateKey: CryptoKey },
): Promise<string> {
  return new CompactSign(new TextEncoder().encode(canonicalJson(payload)))
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'hourglass-audit-checkpoint' })
    .sign(key.privateKey);
}

/** The public key a verifier checks checkpoints with (from the broker's key file). */
export async function checkpointVerifier(
  jwk: JWK,
): Promise<(signature: string) => Promise<CheckpointPayload | null>> {
  const { d: _d, ...publicPart } = jwk;
  const key = await importJWK({ ...publicPart, alg: 'ES256' }, 'ES256');
  return async (signature) => {
    try {
      const { payload } = await compactVerify(signature, key, { algorithms: ['ES256'] });
      const parsed = payloadSchema.safeParse(JSON.parse(new TextDecoder().decode(payload)));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  };
}

/**
 * The `prev` a checkpoint's payload names, read without checking the signature (undefined when
 * it names none or is unreadable). For handing checkpoints on as signed; never a verdict.
 */
export function signedLink(signature: string): string | undefined {
  const [, payload] = signature.split('.');
  try {
    const parsed = payloadSchema.safeParse(
      JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')),
    );
    return parsed.success ? parsed.data.prev : undefined;
  } catch {
    return undefined;
  }
}
