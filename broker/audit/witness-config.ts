/**
 * Where each signed checkpoint is witnessed outside the database (`auditWitness` in the broker
 * config, per tenant): an append-only file on another path, a webhook, stdout for a log shipper.
 */
import { resolve } from 'node:path';
import { z } from 'zod';

/** The witnesses of one tenant's checkpoints; at least one. */
export const auditWitnessSchema = z
  .strictObject({
    /** An append-only file (0600) on another disk or host mount than the database. */
    file: z.string().min(1).optional(),
    /** One JSON line per checkpoint on stdout, for a log shipper. */
    stdout: z.boolean().optional(),
    /** A POST per checkpoint, HMAC-SHA256 signed with the secret in env var `secretEnv`. */
    webhook: z
      .strictObject({
        url: z.url(),
        secretEnv: z
          .string()
          .regex(
            /^[A-Z_][A-Z0-9_]*$/,
            'name an environment variable, e.g. HOURGLASS_WITNESS_SECRET',
          )
          .optional(),
      })
      .optional(),
  })
  .refine((w) => w.file !== undefined || w.stdout === true || w.webhook !== undefined, {
    message: 'name at least one witness: file (a path), stdout: true, or webhook (url)',
  });
export type AuditWitnessSettings = z.infer<typeof auditWitnessSchema>;

/**
 * Why a witness file may not be where it is, or undefined: on the database file (or its journal)
 * it is deleted with the database, which is what it must survive.
 */
export function witnessPathProblem(
  file: string,
  databasePath: string | undefined,
): string | undefined {
  if (databasePath === undefined) return undefined;
  const db = resolve(databasePath);
  const at = resolve(file);
  const beside = ['', '-wal', '-shm', '-journal'].map((suffix) => `${db}${suffix}`);
  return beside.includes(at)
    ? 'the witness file is the database file or its journal; put it on another path (another disk or host mount) so it survives the database'
    : undefined;
}
