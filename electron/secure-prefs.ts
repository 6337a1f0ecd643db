/** The one set of web preferences every window gets. Pure: imports electron types only. */
import type { WebPreferences } from 'electron';

/** Locked-down preferences: isolated, sandboxed, no Node, web security on, no <webview>. */
export function secureWebPreferences(preloadPath?: string): WebPreferences {
  return {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    ...(preloadPath !== undefined ? { preload: preloadPath } : {}),
  };
}
