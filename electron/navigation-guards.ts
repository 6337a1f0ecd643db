/** URL decisions for the Electron shell. Pure: no electron import, tested with URL tables. */

function parse(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/**
 * `scheme://host[:port]` of a URL with a network-style authority, else null. Node's WHATWG URL
 * reports origin `null` for custom schemes such as `app:`, so the origin is built from parts;
 * opaque schemes (file:, data:, about:, javascript:) and userinfo tricks have no origin here.
 */
export function originOf(text: string): string | null {
  const url = parse(text);
  if (!url || !['app:', 'http:', 'https:'].includes(url.protocol) || url.host === '') return null;
  if (url.username !== '' || url.password !== '') return null;
  return `${url.protocol}//${url.host.toLowerCase()}`;
}

/**
 * May the app window navigate to `url`? Only within the packaged app's own origin. Blocks a
 * compromised or injected page from steering the privileged window anywhere else.
 */
export function isAllowedNavigation(url: string, appOrigin: string): boolean {
  const target = originOf(url);
  return target !== null && target === originOf(appOrigin);
}

/**
 * May `url` be handed to the system browser? https only, no userinfo, and the parsed host
 * equal to one of `allowedHosts` (the IdP and broker). Exact host compare, never a prefix:
 * `https://idp.example.com.evil.test` and `https://idp.example.com@evil.test` are refused.
 */
export function isAllowedExternalUrl(url: string, allowedHosts: readonly string[]): boolean {
  const target = parse(url);
  if (!target || target.protocol !== 'https:') return false;
  if (target.username !== '' || target.password !== '') return false;
  const host = target.host.toLowerCase();
  return allowedHosts.some((allowed) => allowed.toLowerCase() === host);
}

/** The hosts (host[:port]) of the configured IdP and broker URLs, for `isAllowedExternalUrl`. */
export function externalHostsOf(urls: readonly string[]): string[] {
  const hosts = urls
    .map((u) => parse(u)?.host.toLowerCase())
    .filter((h): h is string => Boolean(h));
  return [...new Set(hosts)];
}

/**
 * May the sign-in (or sign-out) page at `url` open in the system browser? Only the configured
 * IdP's own host, over https — or plain http to the loopback IdP of a local/demo setup when
 * insecure http was explicitly allowed. A tampered authorization URL cannot send the user elsewhere.
 */
export function isAllowedIdpUrl(url: string, issuer: string, allowInsecureHttp: boolean): boolean {
  const target = parse(url);
  const idp = parse(issuer);
  if (!target || !idp || target.username !== '' || target.password !== '') return false;
  if (target.host.toLowerCase() !== idp.host.toLowerCase()) return false;
  if (target.protocol === 'https:') return true;
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname.toLowerCase());
  return target.protocol === 'http:' && allowInsecureHttp && loopback;
}
