/**
 * The one authentication gate of every Hourglass HTTP server (the broker and the local console).
 *
 * Threat (issue 18, finding 2): a check on the URL text and a router that decodes the URL disagree
 * on what was asked for — `/%61pi/approveGrant` skipped the console's session check and was routed
 * to `/api/:method`. So the gate never reads the URL: it decides on the route Fastify matched.
 * Every route declares `config: { access: 'public' | 'authenticated' }`; a route without a valid
 * declaration is refused when it is registered (the `onRoute` hook throws) and, should one slip
 * in, on every request. An authenticated route with no credential check in its scope is refused
 * too (and fails `ready()`). Deny by default, in both places.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { ErrorCode } from '../protocol/errors.ts';

/** Who may call a route. */
export const routeAccesses = ['public', 'authenticated'] as const;
/** Who may call a route: anyone, or a caller whose credential the scope's check accepts. */
export type RouteAccess = (typeof routeAccesses)[number];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; every route declares it (the access gate refuses one that does not). */
    access?: RouteAccess;
  }
}

/** Route config of a route anyone may call. */
export const publicRoute = { access: 'public' } as const satisfies { access: RouteAccess };
/** Route config of a route only an authenticated caller may call. */
export const authenticatedRoute = { access: 'authenticated' } as const satisfies {
  access: RouteAccess;
};

/** Why a request is refused: a closed code and a message saying what to do. */
export interface Refusal {
  code: ErrorCode;
  message: string;
  /** For `rate_limited`: seconds until the caller may try again. */
  retryAfterSeconds?: number;
}

/** The outcome of a credential check. */
export type Verdict = { ok: true } | { ok: false; refusal: Refusal };

/** A scope's credential check (bearer token, console session, ...). */
export type Authenticate = (request: FastifyRequest) => Promise<Verdict>;

/** Answers a refusal in the server's own error body. */
export type Refuse = (request: FastifyRequest, reply: FastifyReply, refusal: Refusal) => void;

/** A route behind the gate, as registered (one entry per method). */
export interface GatedRoute {
  method: string;
  url: string;
  access: RouteAccess;
}

/** The gate installed on a server. */
export interface AccessGate {
  /**
   * Checks the credential of every authenticated route registered in `scope` (and its children)
   * from now on with `authenticate`. Call it before registering those routes.
   */
  authenticateIn(scope: FastifyInstance, authenticate: Authenticate): void;
  /**
   * Declares everything registered in `scope` from now on `access` unless a route says otherwise;
   * for plugins that register routes without taking route config (@fastify/static).
   */
  declareScope(scope: FastifyInstance, access: RouteAccess): void;
  /** Sets `scope`'s 404 handler, declared like a route (an unmatched path is gated too). */
  setNotFoundHandler(
    scope: FastifyInstance,
    access: RouteAccess,
    handler: (request: FastifyRequest, reply: FastifyReply) => void,
  ): void;
  /** Every route registered behind the gate (HEAD twins included). */
  routes(): readonly GatedRoute[];
}

// The credential check a route is stamped with at registration. A symbol key no route config
// written by hand can name, and only checks handed to `authenticateIn` are honoured.
const authenticatorKey = Symbol('hourglass.authenticate');
type StampedConfig = { access?: unknown; [authenticatorKey]?: unknown };

const isRouteAccess = (value: unknown): value is RouteAccess =>
  value === 'public' || value === 'authenticated';

const undeclared: Refusal = {
  code: 'forbidden',
  message: 'this endpoint declares no access rule, so it is refused; report it to the operator',
};
const unchecked: Refusal = {
  code: 'forbidden',
  message: 'this endpoint has no credential check, so it is refused; report it to the operator',
};

function methodsOf(route: RouteOptions): string[] {
  return [route.method].flat().map(String);
}

/**
 * Installs the gate on a new server, before any route: registration checks, the request-time
 * decision (one `onRequest` hook, on the matched route's config), and the route list. Hooks added
 * to `app` earlier (a Host check) run before the gate.
 */
export function installAccessGate(app: FastifyInstance, opts: { refuse: Refuse }): AccessGate {
  const routes: GatedRoute[] = [];
  const declared: RouteOptions[] = [];
  const scopeAccess = new WeakMap<FastifyInstance, RouteAccess>();
  const scopeAuthenticators = new WeakMap<FastifyInstance, Authenticate>();
  const authenticators = new WeakSet<Authenticate>();

  app.addHook('onRoute', function declaration(this: FastifyInstance, route) {
    const access: unknown = route.config?.access ?? scopeAccess.get(this);
    if (!isRouteAccess(access)) {
      throw new Error(
        `${methodsOf(route).join(',')} ${route.url} declares no access: give it config { access: 'public' } or { access: 'authenticated' }`,
      );
    }
    route.config = { ...route.config, access };
    declared.push(route);
    for (const method of methodsOf(route)) routes.push({ method, url: route.url, access });
  });

  // Registration is over at ready(): an authenticated route without a credential check fails it.
  app.addHook('onReady', (done) => {
    const uncovered = declared.find((route) => {
      const config = route.config as StampedConfig | undefined;
      const check = config?.[authenticatorKey];
      return config?.access === 'authenticated' && !authenticators.has(check as Authenticate);
    });
    done(
      uncovered &&
        new Error(
          `${methodsOf(uncovered).join(',')} ${uncovered.url} is authenticated but no credential check covers it`,
        ),
    );
  });

  /** The refusal to answer for `request`, or undefined when it may go on. */
  async function decide(request: FastifyRequest): Promise<Refusal | undefined> {
    // The matched route's config, never the URL text: what the router chose is what is gated.
    const config = request.routeOptions.config as StampedConfig;
    if (config.access === 'public') return undefined;
    if (config.access !== 'authenticated') return undeclared;
    const check = config[authenticatorKey] as Authenticate | undefined;
    if (check === undefined || !authenticators.has(check)) return unchecked;
    const verdict = await check(request);
    return verdict.ok ? undefined : verdict.refusal;
  }

  app.addHook('onRequest', async (request, reply) => {
    const refusal = await decide(request);
    if (refusal === undefined) return;
    opts.refuse(request, reply, refusal);
    // Returning the reply ends the request here: no later hook, no handler.
    return reply;
  });

  return {
    authenticateIn(scope, authenticate) {
      authenticators.add(authenticate);
      scopeAuthenticators.set(scope, authenticate);
      scope.addHook('onRoute', (route) => {
        const stamped: StampedConfig = { ...route.config, [authenticatorKey]: authenticate };
        route.config = stamped as RouteOptions['config'];
      });
    },
    declareScope(scope, access) {
      scopeAccess.set(scope, access);
    },
    setNotFoundHandler(scope, access, handler) {
      const authenticate = scopeAuthenticators.get(scope);
      if (access === 'authenticated' && authenticate === undefined)
        throw new Error('an authenticated 404 handler needs authenticateIn(scope) first');
      const config: StampedConfig = { access, [authenticatorKey]: authenticate };
      // Fastify keeps `config` of the not-found options as the 404 context's route config
      // (lib/four-oh-four.js) though its types leave it out; were it dropped, the gate would
      // refuse every unmatched request (deny by default), never let one through.
      const options = { config } as unknown as { preHandler?: never };
      scope.setNotFoundHandler(options, handler);
    },
    routes: () => routes,
  };
}
