/**
 * The app's two windows: the main one (close hides it to the tray) and the small request window
 * a tray preset or deep link opens pre-filled. Both from `createSecureWindow`.
 */
import type { BrowserWindow } from 'electron';
import { requestWindowUrl, type RequestPrefill } from './deep-link.ts';
import { grantUrl } from './notice-view.ts';
import { createSecureWindow, type SecureWindowOptions } from './secure-window.ts';

/** Opens and focuses windows. */
export interface AppWindows {
  /** The main window, on a grant when given. */
  showMain(grantId?: string): void;
  /** The request window pre-filled; the user reviews it and clicks Request (never automatic). */
  showRequest(prefill: RequestPrefill): void;
  /** Every open window (pushes go to each). */
  open(): BrowserWindow[];
  /** Lets windows close for real (quit). */
  allowClose(): void;
}

type WindowOptions = Omit<SecureWindowOptions, 'width' | 'height'>;

function alive(win: BrowserWindow | null): win is BrowserWindow {
  return win !== null && !win.isDestroyed();
}

/** Creates the window manager; nothing opens until asked. */
export function createAppWindows(options: WindowOptions): AppWindows {
  let main: BrowserWindow | null = null;
  let request: BrowserWindow | null = null;
  let quitting = false;
  const reveal = (win: BrowserWindow, url: string, fresh: boolean) => {
    if (fresh) win.once('ready-to-show', () => win.show());
    // Same document, new fragment: the renderer follows `hashchange`, no reload.
    void win.loadURL(url);
    if (!fresh) {
      win.show();
      win.focus();
    }
  };
  return {
    showMain(grantId) {
      const url = grantId
        ? grantUrl(options.appOrigin, grantId)
        : `${options.appOrigin}/index.html`;
      const fresh = !alive(main);
      if (!alive(main)) {
        main = createSecureWindow(options);
        // Close-to-tray: the app keeps counting down and notifying with no window open.
        main.on('close', (event) => {
          if (quitting || !alive(main)) return;
          event.preventDefault();
          main.hide();
        });
      }
      if (fresh || grantId) reveal(main, url, fresh);
      else {
        main.show();
        main.focus();
      }
    },
    showRequest(prefill) {
      const fresh = !alive(request);
      if (!alive(request)) request = createSecureWindow({ ...options, width: 440, height: 560 });
      reveal(request, requestWindowUrl(options.appOrigin, prefill), fresh);
    },
    open: () => [main, request].filter(alive),
    allowClose() {
      quitting = true;
    },
  };
}
