/** `GET /v1/audit`: the audit log for members of the policy's auditor groups, filtered. */
import { z } from 'zod';

const isoTime = z.iso.datetime({ offset: true });

/**
 * Largest audit sequence number: the `seq` column is a 32-bit `integer` on PostgreSQL. Why: a
 * cursor past it made PostgreSQL fail the query (numeric out of range), a 500 instead of a 400.
 */
export const MAX_AUDIT_SEQ = 2 ** 31 - 1;

/** Query of `GET /v1/audit`: every filter optional; `after` pages on by sequence number. */
export const auditQuerySchema = z.strictObject({
  /** Records of one grant. */
  grant: z.string().min(1).max(64).optional(),
  /** Records by one actor: `issuer#subject`, or `broker`. */
  actor: z.string().min(1).max(600).optional(),
  role: z.string().min(1).max(100).optional(),
  event: z
    .string()
    .regex(/^[a-z_]{1,40}$/, 'an audit event is a lowercase name such as approved')
    .optional(),
  /** Records of every grant requested with this ticket. */
  ticket: z.string().min(1).max(100).optional(),
  since: isoTime.optional(),
  until: isoTime.optional(),
  after: z.coerce
    .number()
    .int()
    .min(0)
    .max(
      MAX_AUDIT_SEQ,
      `an audit cursor is at most ${MAX_AUDIT_SEQ}; use the next value a page answered`,
    )
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
/** Parsed audit query. */
export type AuditQuery = z.output<typeof auditQuerySchema>;

/** One audit record as the API shows it (never a secret: the log never holds one). */
export const auditRecordSchema = z.strictObject({
  seq: z.number().int().positive(),
  at: z.string(),
  event: z.string(),
  grantId: z.string().nullable(),
  actor: z.string(),
  role: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  hash: z.string(),
});
/** One audit record. */
export type AuditRecordView = z.infer<typeof auditRecordSchema>;

/** Answer of `GET /v1/audit`: `next` is the `after` of the following page, null at the end. */
export const auditResponseSchema = z.strictObject({
  now: z.string(),
  records: z.array(auditRecordSchema),
  next: z.number().int().nullable(),
});
