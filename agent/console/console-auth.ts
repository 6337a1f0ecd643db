/** Console access checks: Host pinning, Origin on writes, the session. Pure. */
import type { Authenticate } from '../../http-gate/route-access.ts';
import { CONSOLE_SESSION_HEADER } from '../../protocol/console-session.ts';

/** DNS rebinding: only the literal loopback host:port we bound may be named in `Host`. */
export function isExpectedHost(hostHeader: string | undefined, expectedHost: string): boolean {
  return hostHeader === expectedHost;
}

/** CSRF: a write must come from a page served by this console (`Origin` exactly equal). */
export function isExpectedOrigin(
  originHeader: string | undefined,
  expectedOrigin: string,
): boolean {
  return originHeader === expectedOrigin;
}

/** The one value of a header Node may hand over as a list; a repeated header counts as absent. */
export function singleHeader(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The console's credential check for the access gate: a live session in the session header. */
export function sessionAuthenticator(
  isLive: (session: string | undefined) => boolean,
  hint: string,
): Authenticate {
  return (request) =>
    Promise.resolve(
      isLive(singleHeader(request.headers[CONSOLE_SESSION_HEADER]))
        ? { ok: true }
        : { ok: false, refusal: { code: 'unauthenticated', message: hint } },
    );
}
