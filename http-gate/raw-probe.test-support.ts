/**
 * Test support: one HTTP request with the path sent byte for byte (no URL normalisation, unlike
 * fetch), answering on the status line; an event stream is cut after its headers.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** What came back. */
export interface ProbeAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, or '' for an event stream (cut after the headers). */
  body: string;
}

/** What to send. */
export interface Probe {
  method: string;
  /** Sent as written: `/%61pi/x`, `//v1/me`, `/./healthz`. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Sends `probe` to `origin` (http or https; a self-signed certificate is accepted). */
export function sendProbe(origin: string, probe: Probe): Promise<ProbeAnswer> {
  const url = new URL(origin);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      {
        host: url.hostname,
        port: url.port,
        path: probe.path,
        method: probe.method,
        // A length always: Node sends a DELETE body unframed otherwise.
        headers: {
          host: url.host,
          ...(probe.body !== undefined
            ? { 'content-length': String(Buffer.byteLength(probe.body)) }
            : {}),
          ...probe.headers,
        },
        rejectUnauthorized: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (String(res.headers['content-type']).startsWith('text/event-stream')) {
          res.destroy();
          req.destroy();
          resolve({ status, headers: res.headers, body: '' });
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', (error) =>
      reject(new Error(`${probe.method} ${probe.path}: ${error.message}`)),
    );
    // A hang is a finding too: name the request instead of waiting for the test's timeout.
    req.setTimeout(5000, () => req.destroy(new Error('no answer within 5 s')));
    req.end(probe.body);
  });
}
