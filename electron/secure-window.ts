/** The only place a BrowserWindow is created: secure preferences plus navigation guards. */
import { BrowserWindow, shell } from 'electron';
import { isAllowedExternalUrl, isAllowedNavigation } from './navigation-guards.ts';
import { secureWebPreferences } from './secure-prefs.ts';

/** What a window needs to know to guard itself. */
export interface SecureWindowOptions {
  preloadPath: string;
  /** Origin of the packaged renderer, e.g. `app://hourglass`. */
  appOrigin: string;
  /** Hosts (IdP, broker) whose https URLs may open in the system browser. */
  externalHosts: readonly string[];
  width?: number;
  height?: number;
}

/** Creates a hidden window with `secureWebPreferences()` and every navigation locked down. */
export function createSecureWindow(opts: SecureWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: opts.width ?? 960,
    height: opts.height ?? 720,
    show: false,
    title: 'Hourglass',
    webPreferences: secureWebPreferences(opts.preloadPath),
  });
  const contents = win.webContents;
  // Injected content must not move the privileged window to another origin.
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, opts.appOrigin)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url, opts.appOrigin)) event.preventDefault();
  });
  // No <webview>: it would bring its own, weaker preferences.
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // No new windows; only IdP/broker https links go to the system browser (RFC 8252: never log in inside the app).
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url, opts.externalHosts)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  return win;
}
