/**
 * Request limits through @fastify/rate-limit, in fixed one-minute windows: per authenticated user
 * on every /v1 route, and per client address on failed authentications (so guessing tokens is
 * throttled before any token work). Over a limit: 429 `rate_limited` in the one error body, with
 * `Retry-After` naming the seconds until the window ends.
 */
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BrokerHttpError } from './http-error.ts';

const WINDOW_MS = 60_000;
// Keys kept per window (users plus addresses); the least recently seen go first beyond it.
const KEYS = 100_000;

/** The broker's two limits. */
export interface RateLimits {
  /** Counts a request of the authenticated user `userKey`; the error to answer when over. */
  countUser(request: FastifyRequest, userKey: string): Promise<BrokerHttpError | null>;
  /** The error to answer when the request's address is over its failed-authentication limit. */
  checkAddress(request: FastifyRequest): Promise<BrokerHttpError | null>;
  /** Counts a failed authentication from the request's address. */
  countFailure(request: FastifyRequest): Promise<void>;
}

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

function limited(seconds: number): BrokerHttpError {
  const wait = Math.max(1, seconds);
  return new BrokerHttpError('rate_limited', `too many requests; try again in ${wait} s`, {
    retryAfter: wait,
  });
}

/** Registers the plugin on `app` (no route is limited by itself) and returns the two limits. */
export function installRateLimits(
  app: FastifyInstance,
  limits: { userPerMinute: number; failuresPerMinute: number },
): RateLimits {
  void app.register(rateLimit, { global: false, timeWindow: WINDOW_MS, cache: KEYS });
  const userKeys = new WeakMap<FastifyRequest, string>();
  // The plugin's factory exists once the app is ready; limiters are made on first use.
  let made: { user: Limiter; address: Limiter } | undefined;
  const limiters = () =>
    (made ??= {
      user: app.createRateLimit({
        max: limits.userPerMinute,
        keyGenerator: (request) => `user:${userKeys.get(request) ?? ''}`,
      }),
      address: app.createRateLimit({
        max: limits.failuresPerMinute,
        keyGenerator: (request) => `address:${normalizeIP(request.ip)}`,
      }),
    });
  return {
    async countUser(request, userKey) {
      userKeys.set(request, userKey);
      const state = await limiters().user(request);
      return !state.isAllowed && state.isExceeded ? limited(state.ttlInSeconds) : null;
    },
    async checkAddress(request) {
      const state = await limiters().address(request, { increment: false });
      return !state.isAllowed && state.remaining === 0 ? limited(state.ttlInSeconds) : null;
    },
    async countFailure(request) {
      await limiters().address(request);
    },
  };
}
