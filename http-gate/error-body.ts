/**
 * The one HTTP error body `{ error: { code, message, requestId } }` (protocol/errors.ts) for what
 * every Hourglass server answers before its own handlers: Fastify's router errors (`/%ff`) and
 * Node's HTTP parser errors. Neither echoes the URL or a header back.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyServerOptions } from 'fastify';
import { httpStatusFor, type ErrorBody, type ErrorCode } from '../protocol/errors.ts';

/** A fresh request id (16 hex digits): pass as the app's `genReqId`. */
export const newRequestId = (): string => randomBytes(8).toString('hex');

/** The error body for `code`. */
export function errorBody(
  code: ErrorCode,
  message: string,
  requestId: string,
  extra: { grantId?: string; expiresAt?: string } = {},
): ErrorBody {
  return { error: { code, message, requestId, ...extra } };
}

/** Answers `code` in the error body with its mapped status (and `Retry-After` when given). */
export function sendErrorBody(
  reply: FastifyReply,
  requestId: string,
  failure: { code: ErrorCode; message: string; retryAfterSeconds?: number },
): FastifyReply {
  if (failure.retryAfterSeconds !== undefined)
    void reply.header('retry-after', String(failure.retryAfterSeconds));
  return reply
    .status(httpStatusFor(failure.code))
    .header('cache-control', 'no-store')
    .send(errorBody(failure.code, failure.message, requestId));
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
  // The option's reply type is generic over route schemas these apps do not use.
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
      newRequestId(),
    ),
  );
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
};
