/**
 * Signed checkpoints of the audit chain: the head (sequence number and hash) at a moment, signed
 * with the broker's ES256 key. Whoever rewrites the chain (re-hashing every record with the
 * project's own function) or cuts its tail cannot make the signed heads match without the key.
 */
import { CompactSign, compactVerify, importJWK, type JWK } from 'jose';
import { z } from 'zod';
import { canonicalJson } from './audit-chain.ts';

/** What a checkpoint signs. */
export interface CheckpointPayload {
  at: string;
  headSeq: number;
  headHash: string;
}

const payloadSchema = z.strictObject({
  at: z.string(),
  headSeq: z.number().int().min(0),
  headHash: z.string(),
});

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
