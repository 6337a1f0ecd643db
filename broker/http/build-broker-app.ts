/** Builds the broker's Fastify app from its dependencies. Listening is the caller's job. */
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { installAuthentication } from './authenticate.ts';
import type { BrokerDeps } from './broker-deps.ts';
import { serveContract } from './contract-route.ts';
import { clientErrorHandler, frameworkErrors, installErrorHandling } from './error-handling.ts';
import { createBrokerMetrics } from './metrics.ts';
import { installOpsRoutes } from './ops-routes.ts';
import { installRateLimits } from './rate-limits.ts';
import { auditRoute } from './routes/audit.route.ts';
import { commandRoutes } from './routes/command.routes.ts';
import { createRequestRoute } from './routes/create-request.route.ts';
import { eventsRoute, type OpenStreams } from './routes/events.route.ts';
import { issueCredentialsRoute } from './routes/issue-credentials.route.ts';
import { readRoutes } from './routes/read.routes.ts';
import { wellKnownRoute } from './routes/well-known.route.ts';

/** A route the app serves. */
export interface ServedRoute {
  method: string;
  url: string;
}

const served = new WeakMap<FastifyInstance, ServedRoute[]>();

/** Every route `app` serves (HEAD twins left out), so a test can hold them against the contract. */
export function servedRoutes(app: FastifyInstance): readonly ServedRoute[] {
  return served.get(app) ?? [];
}

/** pino through Fastify: JSON lines with the request id; credentials never reach a log line. */
function loggerOptions(level: string): FastifyServerOptions['logger'] {
  if (level === 'silent') return false;
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.token',
        '*.accessToken',
        '*.password',
        '*.secret',
      ],
      censor: '[redacted]',
    },
  };
}

/** The broker HTTP app: routes of `brokerContract`, JWKS and health. */
export function buildBrokerApp(deps: BrokerDeps): FastifyInstance {
  const server = deps.server ?? {};
  // With `https` Fastify's types name another server class; the app is used the same either way.
  const app = Fastify({
    logger: loggerOptions(server.logLevel ?? 'silent'),
    bodyLimit: 16 * 1024,
    genReqId: () => randomBytes(8).toString('hex'),
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors,
    clientErrorHandler,
    ...(server.trustProxy !== undefined ? { trustProxy: server.trustProxy } : {}),
    ...(server.https ? { https: server.https } : {}),
  }) as unknown as FastifyInstance;
  const routes: ServedRoute[] = [];
  served.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.push({ method, url: route.url });
    }
  });
  installErrorHandling(app, deps.onInternalError);
  installAuthentication(app, {
    verify: deps.verify,
    limits: installRateLimits(app, {
      userPerMinute: deps.rateLimitPerMinute,
      // Failed authentications per client address: guessing tokens is throttled before any work.
      failuresPerMinute: Math.max(10, Math.ceil(deps.rateLimitPerMinute / 4)),
    }),
  });

  installOpsRoutes(app, deps, deps.metrics ?? createBrokerMetrics(), deps.ready ?? (() => true));
  app.get('/healthz', async () => {
    const outbox = await deps.repo.outboxStats();
    return {
      now: deps.clock.now().toISOString(),
      // Effects that keep failing (a target that cannot be reached) show here, not only in logs.
      status: outbox.failing > 0 ? 'degraded' : 'ok',
      outbox,
      eventStreams: deps.bus.size(),
    };
  });
  app.get('/.well-known/jwks.json', () => ({ keys: [deps.signingKey.publicJwk] }));
  wellKnownRoute(app, deps);
  // Provider documents: discovery, introspection, revocation lists (each provider's own).
  for (const provider of deps.providers.values()) provider.routes?.(app);

  const streams: OpenStreams = { ends: new Set(), closing: false };
  // Open event streams never go idle, so end them before the server waits for its connections.
  app.addHook('preClose', (done) => {
    streams.closing = true;
    for (const end of [...streams.ends]) end();
    done();
  });
  serveContract(
    app,
    {
      ...readRoutes(deps),
      createRequest: createRequestRoute(deps),
      issueCredentials: issueCredentialsRoute(deps),
      ...commandRoutes(deps),
      ...auditRoute(deps),
    },
    eventsRoute(deps, streams),
  );
  return app;
}
