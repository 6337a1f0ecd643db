/** Serves the packaged renderer on `app://hourglass/` with the CSP, and denies every permission. */
import { net, protocol, session } from 'electron';
import { resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rendererCsp } from '../build/csp.ts';

/** The scheme and origin the renderer is loaded from. */
export const appScheme = 'app';
export const appOrigin = 'app://hourglass';

/** Must run before `app.ready`: makes `app:` a standard, secure scheme so origins work. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** After `ready`: serve files from `rendererDir` only, and apply the CSP and permission policy. */
export function installAppProtocol(rendererDir: string): void {
  const root = resolve(rendererDir);
  protocol.handle(appScheme, async (request) => {
    const url = new URL(request.url);
    const relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = resolve(root, `.${relative}`);
    // Path traversal: nothing outside the packaged renderer is served.
    if (url.host !== 'hourglass' || !file.startsWith(root + sep)) {
      return new Response('Not found', { status: 404 });
    }
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('content-security-policy', rendererCsp);
    headers.set('x-content-type-options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [rendererCsp] },
    });
  });
  // Camera, notifications via web API, geolocation…: the renderer needs none of them.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) =>
    callback(false),
  );
  session.defaultSession.setPermissionCheckHandler(() => false);
}
