/**
 * One tenant's routes on a Fastify instance: the token gate, its key set and setup discovery, its
 * providers' documents and the contract's /v1 routes. A single-tenant broker installs them on the
 * root app; a broker of several tenants registers each in its own encapsulated plugin under
 * `/tenants/<name>`, so hooks, streams and 404s of one tenant never touch another.
 */
import type { FastifyInstance } from 'fastify';
import { publicRoute, type AccessGate } from '../../http-gate/route-access.ts';
import { brokerAuthenticator } from './authenticate.ts';
import type { BrokerDeps } from './broker-deps.ts';
import { serveContract } from './contract-route.ts';
import { notFoundHandler } from './error-handling.ts';
import { installReadiness, opsTenant } from './ops-routes.ts';
import type { RateLimits } from './rate-limits.ts';
import { auditRoute } from './routes/audit.route.ts';
import { commandRoutes } from './routes/command.routes.ts';
import { createRequestRoute } from './routes/create-request.route.ts';
import { eventsRoute, type OpenStreams } from './routes/events.route.ts';
import { issueCredentialsRoute } from './routes/issue-credentials.route.ts';
import { readRoutes } from './routes/read.routes.ts';
import { wellKnownRoute } from './routes/well-known.route.ts';

/** A tenant to serve: its deps, and its name when it is mounted under `/tenants/<name>`. */
export interface MountedTenant {
  /** Undefined: the one tenant, served at the root. */
  name: string | undefined;
  deps: BrokerDeps;
}

/** The path a tenant is served under: `/tenants/<name>`, or the root. */
export const tenantPrefix = (name: string | undefined): string =>
  name === undefined ? '' : `/tenants/${name}`;

/**
 * Installs `deps`' routes on `app` (the root, or the tenant's plugin): its authenticated routes
 * are checked with the tenant's token verifier, and so is a path no route matches (401 before
 * 404: an unauthenticated caller learns nothing of which paths exist).
 */
export function installTenantRoutes(
  app: FastifyInstance,
  gate: AccessGate,
  deps: BrokerDeps,
  limits: RateLimits,
): void {
  gate.authenticateIn(app, brokerAuthenticator({ verify: deps.verify, limits }));
  app.get('/.well-known/jwks.json', { config: publicRoute }, () => ({
    keys: [deps.signingKey.publicJwk],
  }));
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
  gate.setNotFoundHandler(app, 'authenticated', notFoundHandler());
}

/**
 * Registers each tenant under `/tenants/<name>`, in its own plugin with its own 404 and its own
 * `/readyz` (that tenant alone; the root's covers them all).
 */
export function mountTenants(
  app: FastifyInstance,
  gate: AccessGate,
  tenants: readonly MountedTenant[],
  limits: RateLimits,
  ready: () => boolean,
): void {
  for (const tenant of tenants) {
    const prefix = tenantPrefix(tenant.name);
    void app.register(
      (child, _opts, done) => {
        installReadiness(child, [opsTenant(tenant.name, tenant.deps)], ready);
        // With the tenant's own 404: its token check also covers unknown paths under it.
        installTenantRoutes(child, gate, tenant.deps, limits);
        done();
      },
      { prefix },
    );
  }
}

/**
 * The 404 message of a broker of several tenants for paths outside every tenant. The known tenant
 * names are not listed: an unauthenticated caller learns nothing of how the deployment is split.
 */
export function outsideTenantsMessage(path: string): string | undefined {
  const tenant = /^\/tenants\/([^/]*)/.exec(path)?.[1];
  if (tenant !== undefined)
    return `no tenant "${tenant.slice(0, 64)}" is served here; check the broker URL you were given (…/tenants/<name>)`;
  if (path === '/v1' || path.startsWith('/v1/'))
    return 'this broker serves several tenants under /tenants/<name>; use the broker URL of your tenant';
  return undefined;
}
