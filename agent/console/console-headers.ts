/** Headers on every console answer, and the Result-shaped failure answer. */
import type { FastifyReply } from 'fastify';
import { rendererCsp } from '../../build/csp.ts';
import { httpStatusFor, type ErrorCode } from '../../protocol/errors.ts';
import { fail } from '../../protocol/result.ts';

/** Headers on every console answer: CSP, no sniffing, no referrer, no framing. */
export const securityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy': rendererCsp,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** Answers a failure Result with the status mapped from its code (or an explicit one). */
export function sendFailure(
  reply: FastifyReply,
  code: ErrorCode,
  message: string,
  status?: number,
): FastifyReply {
  return reply
    .code(status ?? httpStatusFor(code))
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send(fail(code, message));
}

/** Answers a short plain-text page (browsers hitting a refused or missing path). */
export function sendText(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('text/plain; charset=utf-8')
    .send(text);
}
