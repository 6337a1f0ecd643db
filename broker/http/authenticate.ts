/** The bearer-token and rate-limit gate in front of every /v1 route. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Caller, TokenVerifier } from '../auth/token-verifier.ts';
import { BrokerHttpError } from './http-error.ts';
import type { RateLimits } from './rate-limits.ts';

const callers = new WeakMap<FastifyRequest, Caller>();

/** The verified caller of a /v1 request (set by the gate). */
export function callerOf(request: FastifyRequest): Caller {
  const caller = callers.get(request);
  if (!caller) throw new BrokerHttpError('unauthenticated', 'sign in with `hourglass login`');
  return caller;
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,8192})$/.exec(header ?? '');
  return match?.[1];
}

function decodedPath(url: string): string {
  const path = url.split('?')[0] ?? '';
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

const isApiPath = (path: string, prefix: string): boolean =>
  path === `${prefix}/v1` || path.startsWith(`${prefix}/v1/`);

/**
 * Adds the gate: 401 without a valid token, 429 over the per-user limit, and 429 for an address
 * whose failed authentications passed the limit (checked before any token work).
 */
export function installAuthentication(
  app: FastifyInstance,
  deps: {
    verify: TokenVerifier;
    limits: RateLimits;
    /** Where the tenant is mounted (`/tenants/<name>`); none: the root. */
    prefix?: string;
  },
): void {
  app.addHook('onRequest', async (request) => {
    // The routed path (after percent-decoding), not the raw URL: `/%761/me` is routed to /v1/me.
    // Unrouted paths fall back to the decoded URL, so an unknown /v1 route still asks for a token.
    const path = request.routeOptions.url ?? decodedPath(request.url);
    if (!isApiPath(path, deps.prefix ?? '')) return;
    const blocked = await deps.limits.checkAddress(request);
    if (blocked) throw blocked;
    const token = bearerToken(request.headers.authorization);
    if (!token) {
      await deps.limits.countFailure(request);
      throw new BrokerHttpError(
        'unauthenticated',
        'no bearer access token; sign in with `hourglass login`',
      );
    }
    const result = await deps.verify(token);
    if (!result.ok) {
      if (result.error.code === 'unauthenticated') await deps.limits.countFailure(request);
      throw new BrokerHttpError(result.error.code, result.error.message);
    }
    const caller = result.value;
    const over = await deps.limits.countUser(request, `${caller.issuer}#${caller.subject}`);
    if (over) throw over;
    callers.set(request, caller);
  });
}
