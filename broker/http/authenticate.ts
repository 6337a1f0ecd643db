/** The bearer-token and rate-limit gate in front of every /v1 route. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../ports.ts';
import type { Caller, TokenVerifier } from '../auth/token-verifier.ts';
import { BrokerHttpError } from './http-error.ts';
import type { RateLimiter } from './rate-limit.ts';

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

const isApiPath = (path: string): boolean => path === '/v1' || path.startsWith('/v1/');

/** Seconds until the current rate-limit window (a minute) ends: the `Retry-After` value. */
export const retryAfterSeconds = (now: Date): number =>
  60 - Math.floor((now.getTime() % 60_000) / 1000);

function rateLimited(now: Date): BrokerHttpError {
  const wait = retryAfterSeconds(now);
  return new BrokerHttpError('rate_limited', `too many requests; try again in ${wait} s`, {
    retryAfter: wait,
  });
}

/**
 * Adds the gate: 401 without a valid token, 429 over the per-user limit, and 429 for an address
 * whose failed authentications passed the limit (checked before any token work).
 */
export function installAuthentication(
  app: FastifyInstance,
  deps: { verify: TokenVerifier; limiter: RateLimiter; failures: RateLimiter; clock: Clock },
): void {
  app.addHook('onRequest', async (request) => {
    // The routed path (after percent-decoding), not the raw URL: `/%761/me` is routed to /v1/me.
    // Unrouted paths fall back to the decoded URL, so an unknown /v1 route still asks for a token.
    if (!isApiPath(request.routeOptions.url ?? decodedPath(request.url))) return;
    const now = deps.clock.now();
    if (deps.failures.over(request.ip, now)) throw rateLimited(now);
    const token = bearerToken(request.headers.authorization);
    if (!token) {
      deps.failures.allow(request.ip, now);
      throw new BrokerHttpError(
        'unauthenticated',
        'no bearer access token; sign in with `hourglass login`',
      );
    }
    const result = await deps.verify(token);
    if (!result.ok) {
      if (result.error.code === 'unauthenticated') deps.failures.allow(request.ip, now);
      throw new BrokerHttpError(result.error.code, result.error.message);
    }
    const caller = result.value;
    if (!deps.limiter.allow(`${caller.issuer}#${caller.subject}`, now)) throw rateLimited(now);
    callers.set(request, caller);
  });
}
