/** Builds the broker's Fastify app from its tenants' dependencies. Listening is the caller's job. */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  clientErrorHandler,
  frameworkErrors,
  newRequestId,
  sendErrorBody,
} from '../../http-gate/error-body.ts';
import { installAccessGate, type AccessGate } from '../../http-gate/route-access.ts';
import type { Clock } from '../ports.ts';
import type { BrokerDeps } from './broker-deps.ts';
import { installErrorHandling, notFoundHandler } from './error-handling.ts';
import { createBrokerMetrics, type BrokerMetrics } from './metrics.ts';
import { installOpsRoutes, opsTenant } from './ops-routes.ts';
import { installRateLimits } from './rate-limits.ts';
import {
  installTenantRoutes,
  mountTenants,
  outsideTenantsMessage,
  type MountedTenant,
} from './tenants-mount.ts';

/** A route the app serves, and who may call it. */
export interface ServedRoute {
  method: string;
  url: string;
  access: 'public' | 'authenticated';
}

const gates = new WeakMap<FastifyInstance, AccessGate>();

/** Every route `app` serves (HEAD twins left out), so a test can hold them against the contract. */
export function servedRoutes(app: FastifyInstance): readonly ServedRoute[] {
  return (
    gates
      .get(app)
      ?.routes()
      .filter((r) => r.method !== 'HEAD') ?? []
  );
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

/** Listener-wide settings of the HTTP app (the same for every tenant it serves). */
export interface ListenerOptions {
  server?: BrokerDeps['server'];
  rateLimitPerMinute: number;
  metrics: BrokerMetrics;
  ready: () => boolean;
  clock: Clock;
  onInternalError: (error: unknown) => void;
}

/** The Fastify instance with the listener's logging, limits, error body and access gate. */
function listenerApp(server: NonNullable<BrokerDeps['server']>): {
  app: FastifyInstance;
  gate: AccessGate;
} {
  // With `https` Fastify's types name another server class; the app is used the same either way.
  const app = Fastify({
    logger: loggerOptions(server.logLevel ?? 'silent'),
    bodyLimit: 16 * 1024,
    genReqId: newRequestId,
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors,
    clientErrorHandler,
    ...(server.trustProxy !== undefined ? { trustProxy: server.trustProxy } : {}),
    ...(server.https ? { https: server.https } : {}),
  }) as unknown as FastifyInstance;
  // Before any route: every route must declare its access, and the gate decides on the route.
  const gate = installAccessGate(app, {
    refuse: (request, reply, refusal) => void sendErrorBody(reply, request.id, refusal),
  });
  gates.set(app, gate);
  return { app, gate };
}

/**
 * The broker HTTP app over `tenants`: one tenant without a name is served at the root (as a
 * single-tenant broker always was); named tenants each under `/tenants/<name>`. Health, readiness
 * and metrics stay at the root and cover them all.
 */
export function buildListenerApp(
  listener: ListenerOptions,
  tenants: readonly MountedTenant[],
): FastifyInstance {
  const { app, gate } = listenerApp(listener.server ?? {});
  const [root] = tenants;
  const atRoot = tenants.length === 1 && root?.name === undefined ? root : undefined;
  installErrorHandling(app, listener.onInternalError);
  // One budget per user and per address across the listener: tenants do not multiply it.
  const limits = installRateLimits(app, {
    userPerMinute: listener.rateLimitPerMinute,
    // Failed authentications per client address: guessing tokens is throttled before any work.
    failuresPerMinute: Math.max(10, Math.ceil(listener.rateLimitPerMinute / 4)),
  });
  const ops = tenants.map((t) => opsTenant(t.name, t.deps));
  installOpsRoutes(app, ops, { ...listener, now: () => listener.clock.now() });
  if (atRoot) installTenantRoutes(app, gate, atRoot.deps, limits);
  else {
    // Outside every tenant nothing needs a token: the 404 names no tenant and no route.
    gate.setNotFoundHandler(app, 'public', notFoundHandler(outsideTenantsMessage));
    mountTenants(app, gate, tenants, limits, listener.ready);
  }
  return app;
}

/** The broker HTTP app for one tenant at the root: routes of `brokerContract`, JWKS and health. */
export function buildBrokerApp(deps: BrokerDeps): FastifyInstance {
  return buildListenerApp(
    {
      ...(deps.server ? { server: deps.server } : {}),
      rateLimitPerMinute: deps.rateLimitPerMinute,
      metrics: deps.metrics ?? createBrokerMetrics(),
      ready: deps.ready ?? (() => true),
      clock: deps.clock,
      onInternalError: deps.onInternalError,
    },
    [{ name: undefined, deps }],
  );
}
