/** Console access checks: Host pinning, token/cookie comparison, Origin on writes. Pure. */
import { timingSafeEqual } from 'node:crypto';

/** Name of the console session cookie. */
export const sessionCookieName = 'hourglass_console';

/** Constant-time comparison of two secrets of any length. */
export function secretsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

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

/** The value of one cookie from a `Cookie` header, if present exactly once. */
export function readCookie(cookieHeader: string | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  const values = cookieHeader
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${name}=`))
    .map((part) => part.slice(name.length + 1));
  return values.length === 1 ? values[0] : undefined;
}

/** The `Set-Cookie` value for a console session: not readable by script, never sent cross-site. */
export function sessionCookie(value: string): string {
  return `${sessionCookieName}=${value}; HttpOnly; SameSite=Strict; Path=/`;
}
