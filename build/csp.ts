/** The one Content-Security-Policy for every surface that shows the renderer. */

/**
 * CSP for the renderer: the console server header, the index.html meta tag and Electron's
 * response headers all use this string. No unsafe-inline/eval: injected markup cannot run script.
 */
export const rendererCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
