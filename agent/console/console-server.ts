/**
 * The local console: the renderer served to a browser on 127.0.0.1 next to a headless agent.
 * The printed URL carries a single-use bootstrap token in its fragment (never sent to a server,
 * never in a log or a Referer); the page trades it for its own expiring session token and sends
 * that in a header. No cookie is read or set: cookies are scoped by host, not port, so any other
 * loopback server would receive one, and any loopback page could plant one.
 */
import fastifyStatic from '@fastify/static';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { AddressInfo } from 'node:net';
import { clientErrorHandler, frameworkErrors, newRequestId } from '../../http-gate/error-body.ts';
import {
  installAccessGate,
  publicRoute,
  type AccessGate,
  type GatedRoute,
} from '../../http-gate/route-access.ts';
import type { RendererApi } from '../../protocol/agent-api.ts';
import {
  CONSOLE_BOOTSTRAP_PARAM,
  CONSOLE_SESSION_PATH,
  consoleSessionRequestSchema,
} from '../../protocol/console-session.ts';
import { registerApiRoutes, maxApiBodyBytes } from './console-api.ts';
import {
  isExpectedHost,
  isExpectedOrigin,
  sessionAuthenticator,
  singleHeader,
} from './console-auth.ts';
import { registerEventStream, type PushSource } from './console-events.ts';
import { securityHeaders, sendFailure, sendText } from './console-headers.ts';
import { createConsoleSessions, defaultSessionTtlMs } from './console-sessions.ts';

/** Options of the console server. */
export interface ConsoleServerOptions {
  api: RendererApi;
  /** Directory of the built renderer (dist/renderer). */
  staticDir: string;
  /** The agent's push subscription (RunningAgent.subscribe); feeds `GET /api/events`. */
  subscribe?: PushSource;
  /** Port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
  clock?: () => number;
  sessionTtlMs?: number;
  heartbeatMs?: number;
}

/** A running console. `url` carries a bootstrap token: print it to the user, never log it elsewhere. */
export interface ConsoleServer {
  /** `http://127.0.0.1:<port>/#token=<single-use bootstrap token>`. */
  url: string;
  origin: string;
  /** Mints another single-use console URL (a second browser, a lost tab). */
  newUrl(): string;
  /** Every route served and who may call it (for the route-access tests). */
  routes: readonly GatedRoute[];
  close(): Promise<void>;
}

const signInHint = 'Run `hourglass console` for a fresh URL (each link works once).';

/** Starts the console on 127.0.0.1. */
export async function startConsoleServer(opts: ConsoleServerOptions): Promise<ConsoleServer> {
  const clock = opts.clock ?? (() => Date.now());
  const sessions = createConsoleSessions(clock, opts.sessionTtlMs ?? defaultSessionTtlMs);
  const where = { host: '', origin: '' };
  const open = new Set<() => void>();
  const app = Fastify({
    logger: false,
    bodyLimit: maxApiBodyBytes,
    forceCloseConnections: true,
    genReqId: newRequestId,
    frameworkErrors,
    clientErrorHandler,
  });
  // JSON only: a text/plain body is what a cross-site form could send without a preflight.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!isExpectedHost(req.headers.host, where.host)) {
      return sendText(reply, 421, 'This console answers only at its own 127.0.0.1 address.');
    }
  });
  // After the Host check, before any route: the session is checked on the route the router
  // matched, never on the URL text (`/%61pi/approveGrant` is routed to /api/:method).
  const gate = installAccessGate(app, {
    refuse: (_req, reply, refusal) => void sendFailure(reply, refusal.code, refusal.message),
  });
  gate.authenticateIn(
    app,
    sessionAuthenticator((s) => sessions.isLive(s), signInHint),
  );
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.headers(securityHeaders);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-cache');
    return payload;
  });
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const status = error.statusCode ?? 500;
    if (req.routeOptions.url?.startsWith('/api/') !== true)
      return sendText(reply, status, 'Bad request.');
    if (status === 413) return sendFailure(reply, 'bad_request', 'The body is over 64 KiB.', 413);
    if (status === 415) return sendFailure(reply, 'bad_request', 'Send a JSON body.', 415);
    if (status < 500)
      return sendFailure(reply, 'bad_request', 'The body is not valid JSON.', status);
    return sendFailure(reply, 'internal', 'The console failed to answer; see the agent log.');
  });
  // An unmatched path needs the session too; the URL only picks the body's shape here.
  gate.setNotFoundHandler(app, 'authenticated', (req, reply) => {
    if (req.url.startsWith('/api/')) sendFailure(reply, 'not_found', 'No such console API method.');
    else sendText(reply, 404, 'Not found.');
  });

  // Public: it checks the single-use bootstrap token itself and answers the session.
  app.post(CONSOLE_SESSION_PATH, { config: publicRoute }, (req, reply) => {
    if (!isExpectedOrigin(singleHeader(req.headers.origin), where.origin)) {
      return sendFailure(reply, 'forbidden', 'Cross-origin calls to the console API are refused.');
    }
    const body = consoleSessionRequestSchema.safeParse(req.body);
    const granted = body.success ? sessions.exchange(body.data.bootstrap) : null;
    if (!granted) {
      return sendFailure(
        reply,
        'unauthenticated',
        `This console link was already used or is not valid. ${signInHint}`,
      );
    }
    return reply
      .header('cache-control', 'no-store')
      .send({ session: granted.session, expiresAt: new Date(granted.expiresAtMs).toISOString() });
  });
  registerApiRoutes(app, opts.api, () => where.origin);
  registerEventStream(app, {
    api: opts.api,
    subscribe: opts.subscribe,
    sessions,
    heartbeatMs: opts.heartbeatMs ?? 15_000,
    open,
  });
  await registerStaticFiles(app, gate, opts.staticDir);

  await app.listen({ port: opts.port ?? 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  where.host = `127.0.0.1:${port}`;
  where.origin = `http://${where.host}`;
  const newUrl = () => `${where.origin}/#${CONSOLE_BOOTSTRAP_PARAM}=${sessions.mintBootstrap()}`;
  return {
    url: newUrl(),
    origin: where.origin,
    newUrl,
    routes: gate.routes(),
    async close() {
      for (const end of [...open]) end();
      sessions.clear();
      await app.close();
    },
  };
}

/** The built renderer, public: the page shell holds no secret (it asks for the session). */
async function registerStaticFiles(app: FastifyInstance, gate: AccessGate, root: string) {
  await app.register(async (scope) => {
    // @fastify/static takes no route config, so its scope declares what it registers.
    gate.declareScope(scope, 'public');
    await scope.register(fastifyStatic, { root, serveDotFiles: false, cacheControl: false });
  });
}
