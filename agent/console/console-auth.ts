/** Console access checks: Host pinning and Origin on writes. Pure. */

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
