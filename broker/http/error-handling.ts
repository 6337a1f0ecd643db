/** The one place where the broker's failures become `{ error: { code, message, requestId } }`. */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '../../http-gate/error-body.ts';
import { httpStatusFor, type ErrorCode } from '../../protocol/errors.ts';
import { isStoreUnavailable } from '../store/store-unavailable.ts';
import { BrokerHttpError } from './http-error.ts';

/** Seconds a client waits before retrying when the broker's database cannot be reached. */
export const STORE_RETRY_AFTER_SECONDS = 5;

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

/** Installs the JSON body parser and the error handler (the 404 handler goes through the gate). */
export function installErrorHandling(
  app: FastifyInstance,
  onInternal: (error: unknown) => void,
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
}
