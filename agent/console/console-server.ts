/**
 * The local console: the renderer served to a browser on 127.0.0.1 next to a headless agent.
 * Access needs the random token from the printed URL, then an HttpOnly SameSite=Strict cookie.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RendererApi } from '../../protocol/agent-api.ts';
import { handleApiCall } from './console-api.ts';
import {
  isExpectedHost,
  isExpectedOrigin,
  readCookie,
  secretsEqual,
  sessionCookie,
  sessionCookieName,
} from './console-auth.ts';
import { securityHeaders, sendFailure, sendText } from './console-http.ts';
import { readStaticFile, resolveStaticPath } from './static-files.ts';

/** Options of the console server. */
export interface ConsoleServerOptions {
  api: RendererApi;
  /** Directory of the built renderer (dist/renderer). */
  staticDir: string;
  /** Port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
}

/** A running console. `url` carries the access token: print it to the user, never log it elsewhere. */
export interface ConsoleServer {
  url: string;
  origin: string;
  close(): Promise<void>;
}

interface Secrets {
  token: string;
  session: string;
  host: string;
  origin: string;
}

async function route(
  opts: ConsoleServerOptions,
  s: Secrets,
  req: IncomingMessage,
  res: ServerResponse,
) {
  if (!isExpectedHost(req.headers.host, s.host)) {
    sendText(res, 421, 'This console answers only at its own 127.0.0.1 address.');
    return;
  }
  const url = new URL(req.url ?? '/', s.origin);
  const token = url.searchParams.get('token');
  if (req.method === 'GET' && url.pathname === '/' && token !== null) {
    if (!secretsEqual(token, s.token)) {
      sendText(res, 401, 'This console link is not valid. Use the URL printed by the agent.');
      return;
    }
    res.writeHead(303, {
      ...securityHeaders,
      'set-cookie': sessionCookie(s.session),
      location: '/',
      'cache-control': 'no-store',
    });
    res.end();
    return;
  }
  const cookie = readCookie(req.headers.cookie, sessionCookieName);
  const isApi = url.pathname.startsWith('/api/');
  if (cookie === undefined || !secretsEqual(cookie, s.session)) {
    if (isApi)
      sendFailure(res, 'unauthenticated', 'Open the console through the URL printed by the agent.');
    else sendText(res, 401, 'Open the console through the URL printed by the agent.');
    return;
  }
  if (isApi) {
    if (req.method !== 'POST')
      return sendFailure(res, 'bad_request', 'The console API takes POST only.', 405);
    if (!isExpectedOrigin(req.headers.origin, s.origin)) {
      return sendFailure(res, 'forbidden', 'Cross-origin calls to the console API are refused.');
    }
    return handleApiCall(opts.api, url.pathname.slice('/api/'.length), req, res);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return sendText(res, 405, 'Method not allowed.');
  return serveStatic(opts.staticDir, url.pathname, req.method === 'HEAD', res);
}

async function serveStatic(root: string, pathname: string, headOnly: boolean, res: ServerResponse) {
  const found = resolveStaticPath(root, pathname);
  if (found.status === 'error') {
    sendText(
      res,
      found.reason === 'bad_path' ? 400 : 404,
      found.reason === 'bad_path' ? 'Bad path.' : 'Not found.',
    );
    return;
  }
  const content = await readStaticFile(found.file);
  if (!content) return sendText(res, 404, 'Not found.');
  res.writeHead(200, {
    ...securityHeaders,
    'content-type': found.contentType,
    'content-length': content.length,
    'cache-control': 'no-cache',
  });
  res.end(headOnly ? undefined : content);
}

/** Starts the console on 127.0.0.1 with a fresh 32-byte token. */
export async function startConsoleServer(opts: ConsoleServerOptions): Promise<ConsoleServer> {
  const secrets: Secrets = {
    token: randomBytes(32).toString('base64url'),
    session: randomBytes(32).toString('base64url'),
    host: '',
    origin: '',
  };
  const server = createServer((req, res) => {
    route(opts, secrets, req, res).catch(() => {
      if (!res.headersSent)
        sendFailure(res, 'internal', 'The console failed to answer; see the agent log.');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  secrets.host = `127.0.0.1:${port}`;
  secrets.origin = `http://${secrets.host}`;
  return {
    url: `${secrets.origin}/?token=${secrets.token}`,
    origin: secrets.origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
