/** Errors are values at boundaries: every local-API and IPC call answers with a Result. */
import { z } from 'zod';
import { errorCodeSchema, type ErrorCode } from './errors.ts';

/** A failure carried as a value: a closed code and a message that says what to do next. */
export interface Failure {
  code: ErrorCode;
  message: string;
  /** For `already_active`: the grant already held, so the client can offer Extend. */
  grantId?: string;
}

/** The outcome of a boundary call. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: Failure };

/** Builds a success value. */
export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

/** Builds a failure value. */
export const fail = <T = never>(code: ErrorCode, message: string): Result<T> => ({
  ok: false,
  error: { code, message },
});

/** Zod schema for a Result wrapping `value`. */
export const resultSchema = <T extends z.ZodType>(value: T) =>
  z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({
      ok: z.literal(false),
      error: z.object({
        code: errorCodeSchema,
        message: z.string().max(2000),
        grantId: z.string().max(64).optional(),
      }),
    }),
  ]);
