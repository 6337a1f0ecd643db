/** The stand-in ipcMain, powerMonitor, shell, clipboard, dialog, protocol, net and session. */
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { record } from './standin-record.ts';

type InvokeHandler = (event: unknown, input: unknown) => unknown;
/** IPC handlers by channel (the test invokes them with a chosen sender). */
export const ipcHandlers = new Map<string, InvokeHandler>();

/** The stand-in `ipcMain`. */
class IpcMainStandin extends EventEmitter {
  handle(channel: string, handler: InvokeHandler): void {
    ipcHandlers.set(channel, handler);
    record({ kind: 'ipc', op: 'handle', channel });
  }
  removeHandler(channel: string): void {
    ipcHandlers.delete(channel);
  }
}
/** The one stand-in `ipcMain`. */
export const ipcMainStandin = new IpcMainStandin();

class PowerMonitorStandin extends EventEmitter {
  override on(event: string, listener: (...args: unknown[]) => void): this {
    record({ kind: 'power', op: 'on', event });
    return super.on(event, listener);
  }
}
/** The stand-in `powerMonitor`: the test emits resume / lock-screen / unlock-screen. */
export const powerMonitor = new PowerMonitorStandin();

/** The stand-in `shell`: records what would open in the system browser. */
export const shell = {
  openExternal(url: string): Promise<void> {
    record({ kind: 'shell', op: 'openExternal', url });
    return Promise.resolve();
  },
};

/** The stand-in `clipboard`. */
export const clipboard = {
  writeText(text: string): void {
    record({ kind: 'clipboard', text });
  },
};

/** The stand-in `dialog`. */
export const dialog = {
  showErrorBox(title: string, message: string): void {
    record({ kind: 'dialog', title, message });
  },
};

type ProtocolHandler = (request: Request) => Promise<Response>;
/** Protocol handlers by scheme (the test fetches `app://` through them). */
export const protocolHandlers = new Map<string, ProtocolHandler>();

/** The stand-in `protocol`: the app's `app://` handler is kept so the test can fetch through it. */
export const protocol = {
  registerSchemesAsPrivileged(schemes: { scheme: string }[]): void {
    for (const s of schemes)
      record({ kind: 'protocol', op: 'registerPrivileged', scheme: s.scheme });
  },
  handle(scheme: string, handler: ProtocolHandler): void {
    protocolHandlers.set(scheme, handler);
    record({ kind: 'protocol', op: 'handle', scheme });
  },
};

/** The stand-in `net`: `file:` URLs read from disk (what the app protocol serves). */
export const net = {
  fetch(url: string): Promise<Response> {
    const path = fileURLToPath(url);
    if (!existsSync(path)) return Promise.resolve(new Response('missing', { status: 404 }));
    return Promise.resolve(new Response(readFileSync(path), { status: 200 }));
  },
};

/** The stand-in `session`. */
export const session = {
  defaultSession: {
    webRequest: { onHeadersReceived: () => record({ kind: 'app', op: 'onHeadersReceived' }) },
    setPermissionRequestHandler: () => record({ kind: 'app', op: 'setPermissionRequestHandler' }),
    setPermissionCheckHandler: () => record({ kind: 'app', op: 'setPermissionCheckHandler' }),
  },
};
