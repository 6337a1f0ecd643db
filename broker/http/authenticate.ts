/**
 * The broker's credential check for the access gate (http-gate/route-access.ts): a bearer access
 * token and the rate limits. The gate decides which routes it covers, on the matched route.
 */
import type { FastifyRequest } from 'fastify';
import type { Authenticate, Refusal } from '../../http-gate/route-access.ts';
import type { Caller, TokenVerifier } from '../auth/token-verifier.ts';
import { BrokerHttpError } from './http-error.ts';
import type { RateLimits } from './rate-limits.ts';

const callers = new WeakMap<FastifyRequest, Caller>();

/** The verified caller of an authenticated request (set by the credential check). */
export function callerOf(request: FastifyRequest): Caller {
  const caller = callers.get(request);
  if (!caller) throw new BrokerHttpError('unauthenticated', 'sign in with `hourglass login`');
  return caller;
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,8192})$/.exec(header ?? '');
  return match?.[1];
}

const refused = (refusal: Refusal) => ({ ok: false, refusal }) as const;

const asRefusal = (error: BrokerHttpError): Refusal => ({
  code: error.code,
  message: error.message,
  ...(error.extra.retryAfter !== undefined ? { retryAfterSeconds: error.extra.retryAfter } : {}),
});

/**
 * The check: 429 for an address whose failed authentications passed the limit (before any token
 * work), 401 without a valid token, 429 over the per-user limit; otherwise the caller is kept.
 */
export function brokerAuthenticator(deps: {
  verify: TokenVerifier;
  limits: RateLimits;
}): Authenticate {
  return async (request) => {
    const blocked = await deps.limits.checkAddress(request);
    if (blocked) return refused(asRefusal(blocked));
    const token = bearerToken(request.headers.authorization);
    if (!token) {
      await deps.limits.countFailure(request);
      return refused({
        code: 'unauthenticated',
        message: 'no bearer access token; sign in with `hourglass login`',
      });
    }
    const result = await deps.verify(token);
    if (!result.ok) {
      if (result.error.code === 'unauthenticated') await deps.limits.countFailure(request);
      return refused({ code: result.error.code, message: result.error.message });
    }
    const caller = result.value;
    const over = await deps.limits.countUser(request, `${caller.issuer}#${caller.subject}`);
    if (over) return refused(asRefusal(over));
    callers.set(request, caller);
    return { ok: true };
  };
}
