/** The one place where failures become `{ error: { code, message, requestId } }`. */
import { randomBytes } from 'node:crypto';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifyServerOptions,
} from 'fastify';
import { httpStatusFor, type ErrorBody, type ErrorCode } from '../../protocol/errors.ts';
import { isStoreUnavailable } from '../store/store-unavailable.ts';
import { BrokerHttpError } from './http-error.ts';

/** Seconds a client waits before retrying when the broker's database cannot be reached. */
export const STORE_RETRY_AFTER_SECONDS = 5;

/** Sends the error body for `code`. */
export function errorBody(
  code: ErrorCode,
  message: string,
  requestId: string,
  extra: { grantId?: string; expiresAt?: string } = {},
): ErrorBody {
  return { error: { code, message, requestId, ...extra } };
}

function classify(error: unknown): {
  code: ErrorCode;
  message: string;
  extra?: { grantId?: string; expiresAt?: string; retryAfter?: number };
} {
  if (error instanceof BrokerHttpError)
    return { code: error.code, message: error.message, extra: error.extra };
  const status = (error as Partial<FastifyError>).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = (error as FastifyError).code;
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return { code: 'bad_request', message: 'the request body is too large' };
    if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return { code: 'bad_request', message: 'send the request body as application/json' };
    }
    return { code: 'bad_request', message: 'the request is malformed' };
  }
  // Why: a database outage is not a bug; 503 with Retry-After tells clients to retry (with their
  // Idempotency-Key), and the transaction that failed left no partial grant behind.
  if (isStoreUnavailable(error))
    return {
      code: 'unavailable',
      message: 'the broker cannot reach its database right now; try again in a few seconds',
      extra: { retryAfter: STORE_RETRY_AFTER_SECONDS },
    };
  return {
    code: 'internal',
    message: 'the broker failed to handle this request; try again or tell the operator',
  };
}

/**
 * Fastify's own errors before routing (a `%ff` in the path, an over-long parameter) in the one
 * error body: pass as the app's `frameworkErrors` option.
 */
export const frameworkErrors: NonNullable<FastifyServerOptions['frameworkErrors']> = (
  error,
  request,
  reply,
) => {
  const message =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'a path segment is too long'
      : 'the request path is not a valid URL (bad percent-encoding)';
  // The option's reply type is generic over route schemas this app does not use.
  void (reply as unknown as FastifyReply)
    .status(400)
    .send(errorBody('bad_request', message, request.id));
};

/**
 * Errors Node's HTTP parser meets before Fastify sees a request (headers or URL too large, a
 * malformed request line): answered in the one error body, then the connection is closed.
 */
export const clientErrorHandler: NonNullable<FastifyServerOptions['clientErrorHandler']> = (
  error,
  socket,
) => {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify(
    errorBody(
      'bad_request',
      tooLarge ? 'the request URL or headers are too large' : 'the request is malformed',
      randomBytes(8).toString('hex'),
    ),
  );
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
};

/** What a 404 names: the method and path asked for, unless `message` is given. */
export function notFoundHandler(
  message?: (path: string) => string | undefined,
): (request: FastifyRequest, reply: FastifyReply) => void {
  return (request, reply) => {
    const path = request.url.split('?')[0]?.slice(0, 200) ?? '';
    void reply
      .status(404)
      .send(
        errorBody(
          'not_found',
          message?.(path) ?? `no such endpoint: ${request.method} ${path}`,
          request.id,
        ),
      );
  };
}

/** Installs the JSON body parser, the error handler and the not-found handler. */
export function installErrorHandling(
  app: FastifyInstance,
  onInternal: (error: unknown) => void,
  /** A 404's message for some paths (none: "no such endpoint"). */
  notFoundMessage?: (path: string) => string | undefined,
): void {
  app.removeContentTypeParser('application/json');
  // Fastify's own parser (secure-json-parse): `__proto__` and `constructor.prototype` keys are
  // refused, not merged into objects. An empty body reads as none.
  const safeJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    void safeJson(request, text, (error, value) => {
      if (!error) return done(null, value);
      // Fastify's parser hides why; a key it refuses is the likely one when the text names it.
      const poisoned = /"(?:__proto__|constructor)"\s*:/.test(text);
      const message = poisoned
        ? 'the request body carries a forbidden __proto__ or constructor key; remove it'
        : 'the request body is not valid JSON';
      done(new BrokerHttpError('bad_request', message), undefined);
    });
  });
  app.setErrorHandler((error, request, reply) => {
    const { code, message, extra } = classify(error);
    if (code === 'internal') onInternal(error);
    const { retryAfter, ...bodyExtra } = extra ?? {};
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    void reply.status(httpStatusFor(code)).send(errorBody(code, message, request.id, bodyExtra));
  });
  app.setNotFoundHandler(notFoundHandler(notFoundMessage));
}
