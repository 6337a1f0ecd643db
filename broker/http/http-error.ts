/** Errors the broker's HTTP layer answers with, and clear messages from zod issues. */
import type { z } from 'zod';
import type { ErrorCode } from '../../protocol/errors.ts';

/** An error with a closed code; the one error handler turns it into the error body. */
export class BrokerHttpError extends Error {
  readonly code: ErrorCode;
  /** For `already_active`: the grant already held and when it ends. */
  readonly extra: { grantId?: string; expiresAt?: string; retryAfter?: number };

  constructor(
    code: ErrorCode,
    message: string,
    extra: { grantId?: string; expiresAt?: string; retryAfter?: number } = {},
  ) {
    super(message);
    this.code = code;
    this.extra = extra;
  }
}

/** Turns zod issues into one message naming each field, e.g. `durationSeconds: must be a whole number`. */
export function describeZodError(error: z.ZodError, what: string): string {
  const parts = error.issues.slice(0, 5).map((issue) => {
    const field = issue.path.map(String).join('.') || what;
    if (issue.code === 'unrecognized_keys')
      return `${field}: unknown field(s) ${issue.keys.join(', ')}`;
    if (issue.code === 'invalid_type' && issue.input === undefined) return `${field}: is required`;
    return `${field}: ${issue.message}`;
  });
  return `invalid ${what}: ${parts.join('; ')}`.slice(0, 1000);
}

/** Parses `input` with `schema` or throws a `bad_request` naming the fields. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success)
    throw new BrokerHttpError('bad_request', describeZodError(parsed.error, what));
  return parsed.data;
}
