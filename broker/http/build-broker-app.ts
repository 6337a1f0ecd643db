/** Builds the broker's Fastify app from its dependencies. Listening is the caller's job. */
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { MeResponse, RolesResponse } from '../../protocol/broker-api.ts';
import { eligibleRoles, summarizeRole } from '../policy/decide.ts';
import { callerOf, installAuthentication } from './authenticate.ts';
import type { BrokerDeps } from './broker-deps.ts';
import { installErrorHandling } from './error-handling.ts';
import { registerGrantRoutes } from './grant-routes.ts';
import { RateLimiter } from './rate-limit.ts';

/** The broker HTTP app: routes of `brokerContract`, JWKS and health. */
export function buildBrokerApp(deps: BrokerDeps): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: 16 * 1024,
    genReqId: () => randomBytes(8).toString('hex'),
    routerOptions: { ignoreTrailingSlash: true },
  });
  installErrorHandling(app, deps.onInternalError);
  installAuthentication(app, {
    verify: deps.verify,
    limiter: new RateLimiter(deps.rateLimitPerMinute),
    clock: deps.clock,
  });

  app.get('/healthz', () => ({ now: deps.clock.now().toISOString(), status: 'ok' }));
  app.get('/.well-known/jwks.json', () => ({ keys: [deps.signingKey.publicJwk] }));

  app.get('/v1/me', (request): MeResponse => {
    const { tokenExpiresAt: _exp, ...me } = callerOf(request);
    return { now: deps.clock.now().toISOString(), me };
  });

  app.get('/v1/roles', (request): RolesResponse => {
    const roles = eligibleRoles(deps.policy, callerOf(request).groups).map(summarizeRole);
    return { now: deps.clock.now().toISOString(), roles };
  });

  registerGrantRoutes(app, deps);
  return app;
}
