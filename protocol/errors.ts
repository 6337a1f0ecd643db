/** The closed set of error codes and the one HTTP error body. */
import { z } from 'zod';
import { assertNever } from './assert-never.ts';

/** Every error code any Hourglass boundary may answer with. */
export const errorCodes = [
  'bad_request',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  'policy_violation',
  'internal',
  'unavailable',
  'not_logged_in',
  'login_in_progress',
  'login_failed',
  'keychain_unavailable',
  'broker_unreachable',
  'grant_not_active',
  /** A second request for a role the caller already holds: the error names the grant to extend. */
  'already_active',
  /** The caller may not decide this request: their own, not an approver, or already decided. */
  'not_approver',
  /** A transition not allowed from the grant's state (extend a pending grant, approve twice, …). */
  'invalid_state',
  /** The extension budget of the role is used up. */
  'budget_exhausted',
] as const;

/** Schema for an error code. */
export const errorCodeSchema = z.enum(errorCodes);

/** One error code. */
export type ErrorCode = z.infer<typeof errorCodeSchema>;

/** The one HTTP error body: `{ error: { code, message, requestId } }`. */
export const errorBodySchema = z.object({
  error: z.object({
    code: errorCodeSchema,
    message: z.string().max(2000),
    requestId: z.string().max(200),
    /** For `already_active`: the grant the caller already holds (offer Extend instead). */
    grantId: z.string().max(64).optional(),
    /** For `already_active`: when that grant ends. */
    expiresAt: z.string().max(64).optional(),
  }),
});

/** The HTTP error body. */
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** HTTP status for each code, mapped in one place. */
export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case 'bad_request':
    case 'policy_violation':
      return 400;
    case 'unauthenticated':
    case 'not_logged_in':
    case 'login_failed':
      return 401;
    case 'forbidden':
    case 'not_approver':
      return 403;
    case 'not_found':
      return 404;
    case 'conflict':
    case 'login_in_progress':
    case 'grant_not_active':
    case 'already_active':
    case 'invalid_state':
    case 'budget_exhausted':
      return 409;
    case 'rate_limited':
      return 429;
    case 'unavailable':
    case 'keychain_unavailable':
    case 'broker_unreachable':
      return 503;
    case 'internal':
      return 500;
    default:
      return assertNever(code);
  }
}

export { assertNever };
