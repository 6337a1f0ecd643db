/** Small HTTP helpers for the console server: security headers, JSON/Result answers, body reading. */
import type { IncomingMessage, ServerResponse } from 'node:http';
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

/** Writes a JSON body with the security headers and no caching. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...securityHeaders,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Writes a failure Result with the status mapped from its code (or an explicit one). */
export function sendFailure(
  res: ServerResponse,
  code: ErrorCode,
  message: string,
  status?: number,
): void {
  sendJson(res, status ?? httpStatusFor(code), fail(code, message));
}

/** Writes a short plain-text page (401/403/404/421 for browsers). */
export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    ...securityHeaders,
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Outcome of reading a request body with a size cap. */
export type BodyRead =
  { status: 'success'; text: string } | { status: 'error'; reason: 'too_large' | 'aborted' };

/** Reads the request body, refusing more than `maxBytes` (checked while streaming, not after). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      resolve({ status: 'error', reason: 'too_large' });
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        done = true;
        resolve({ status: 'error', reason: 'too_large' });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolve({ status: 'success', text: Buffer.concat(chunks).toString('utf8') });
      done = true;
    });
    req.on('error', () => {
      if (!done) resolve({ status: 'error', reason: 'aborted' });
      done = true;
    });
  });
}
