/**
 * A stand-in for the `electron` module, for running the real main process under plain Node (the
 * Electron runtime cannot be downloaded here). It records what the app does with app, Tray, Menu,
 * Notification, BrowserWindow, ipcMain, powerMonitor, shell and protocol, sends each record to
 * the harness test over the child-process IPC channel, and performs the test's commands (click a
 * menu item, press a notification button, emit a power event, invoke an IPC channel…).
 * It draws nothing and decides nothing: every decision stays in the app code under test.
 */
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  Recorded,
  RecordedMenuItem,
  StandinCommand,
  StandinMessage,
  StandinRequest,
} from './standin-protocol.ts';

function send(message: StandinMessage): void {
  if (process.send) process.send(message);
}

function record(event: Recorded): void {
  send({ type: 'recorded', at: Date.now(), event });
}

interface Cancellable {
  defaultPrevented: boolean;
  preventDefault(): void;
}

function cancellable(): Cancellable {
  const event = {
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}

// ---------- app ----------
class AppStandin extends EventEmitter {
  private readonly ready = new Promise<void>((resolve) => setImmediate(resolve));
  whenReady(): Promise<void> {
    return this.ready;
  }
  isReady(): boolean {
    return true;
  }
  getAppPath(): string {
    return process.env.HOURGLASS_STANDIN_APP_PATH ?? process.cwd();
  }
  getPath(name: string): string {
    const userData = process.env.HOURGLASS_STANDIN_USER_DATA;
    if (!userData) throw new Error('HOURGLASS_STANDIN_USER_DATA is not set');
    record({ kind: 'app', op: 'getPath', value: name });
    return userData;
  }
  getVersion(): string {
    return '0.1.0';
  }
  getName(): string {
    return 'Hourglass';
  }
  readonly isPackaged = false;
  requestSingleInstanceLock(): boolean {
    record({ kind: 'app', op: 'requestSingleInstanceLock' });
    return process.env.HOURGLASS_STANDIN_SECOND_INSTANCE !== '1';
  }
  setAsDefaultProtocolClient(scheme: string): boolean {
    record({ kind: 'app', op: 'setAsDefaultProtocolClient', value: scheme });
    return true;
  }
  setLoginItemSettings(settings: unknown): void {
    record({ kind: 'app', op: 'setLoginItemSettings', value: settings });
  }
  quit(): void {
    record({ kind: 'app', op: 'quit' });
    const event = cancellable();
    this.emit('before-quit', event);
    if (!event.defaultPrevented) this.exit(0);
  }
  exit(code = 0): void {
    record({ kind: 'app', op: 'exit', value: code });
    // Let the last records reach the test before the process ends.
    setImmediate(() => process.exit(code));
  }
}

/** The stand-in `app`. */
export const app = new AppStandin();

// ---------- Menu and Tray ----------
interface MenuTemplateItem {
  label?: string;
  type?: string;
  enabled?: boolean;
  click?: () => void;
  submenu?: MenuTemplateItem[];
}

function renderMenu(items: readonly MenuTemplateItem[]): RecordedMenuItem[] {
  return items.map((item) => ({
    label: item.label ?? '',
    ...(item.type ? { type: item.type } : {}),
    enabled: item.enabled !== false,
    ...(item.submenu ? { submenu: renderMenu(item.submenu) } : {}),
  }));
}

/** The stand-in `Menu`: keeps the template so the test can click through it. */
export class Menu {
  constructor(readonly template: MenuTemplateItem[]) {}
  static buildFromTemplate(template: MenuTemplateItem[]): Menu {
    return new Menu(template);
  }
}

interface ImageStandin {
  path: string;
  isEmpty(): boolean;
}

/** The stand-in `nativeImage`. */
export const nativeImage = {
  createFromPath: (path: string): ImageStandin => ({ path, isEmpty: () => !existsSync(path) }),
};

let currentMenu: Menu | null = null;

/** The stand-in `Tray`. */
export class Tray {
  constructor(image: ImageStandin) {
    record({ kind: 'tray', op: 'create' });
    this.setImage(image);
  }
  setImage(image: ImageStandin): void {
    record({ kind: 'tray', op: 'image', file: basename(image.path), exists: !image.isEmpty() });
  }
  setTitle(value: string): void {
    record({ kind: 'tray', op: 'title', value });
  }
  setToolTip(value: string): void {
    record({ kind: 'tray', op: 'tooltip', value });
  }
  setContextMenu(menu: Menu): void {
    currentMenu = menu;
    record({ kind: 'tray', op: 'menu', menu: renderMenu(menu.template) });
  }
  destroy(): void {
    currentMenu = null;
    record({ kind: 'tray', op: 'destroy' });
  }
}

function clickMenu(path: readonly string[]): string {
  let items = currentMenu?.template ?? [];
  for (const [depth, wanted] of path.entries()) {
    const item = items.find((i) => (i.label ?? '').startsWith(wanted));
    if (!item) throw new Error(`no menu item starting with "${wanted}" at depth ${depth}`);
    if (depth === path.length - 1) {
      if (!item.click || item.enabled === false) throw new Error(`"${wanted}" is not clickable`);
      item.click();
      return item.label ?? '';
    }
    items = item.submenu ?? [];
  }
  throw new Error('empty menu path');
}

// ---------- Notification ----------
interface NotificationOptions {
  title?: string;
  body?: string;
  urgency?: string;
  actions?: { type: string; text: string }[];
}

const notifications: NotificationStandin[] = [];

class NotificationStandin extends EventEmitter {
  static isSupported(): boolean {
    return true;
  }
  constructor(readonly options: NotificationOptions) {
    super();
  }
  show(): void {
    notifications.push(this);
    record({
      kind: 'notification',
      title: this.options.title ?? '',
      body: this.options.body ?? '',
      actions: (this.options.actions ?? []).map((a) => a.text),
      urgency: this.options.urgency ?? 'normal',
    });
  }
}
export { NotificationStandin as Notification };

// ---------- BrowserWindow ----------
let nextWindowId = 1;
const windows = new Map<number, BrowserWindowStandin>();

class WebContentsStandin extends EventEmitter {
  url = '';
  destroyed = false;
  constructor(private readonly windowId: number) {
    super();
  }
  setWindowOpenHandler(): void {
    record({ kind: 'app', op: 'setWindowOpenHandler', value: this.windowId });
  }
  getURL(): string {
    return this.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(_channel: string, message: { type?: string }): void {
    record({ kind: 'window', op: 'push', id: this.windowId, type: message.type ?? '?' });
  }
}

interface WindowOptions {
  width?: number;
  height?: number;
  webPreferences?: unknown;
}

class BrowserWindowStandin extends EventEmitter {
  readonly id = nextWindowId++;
  readonly webContents = new WebContentsStandin(this.id);
  private destroyed = false;
  constructor(options: WindowOptions) {
    super();
    windows.set(this.id, this);
    record({
      kind: 'window',
      op: 'create',
      id: this.id,
      width: options.width ?? 0,
      height: options.height ?? 0,
      prefs: options.webPreferences,
    });
  }
  loadURL(url: string): Promise<void> {
    const first = this.webContents.url === '';
    this.webContents.url = url;
    record({ kind: 'window', op: 'load', id: this.id, url });
    if (first) setImmediate(() => this.emit('ready-to-show'));
    return Promise.resolve();
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  show(): void {
    record({ kind: 'window', op: 'show', id: this.id });
  }
  hide(): void {
    record({ kind: 'window', op: 'hide', id: this.id });
  }
  focus(): void {
    record({ kind: 'window', op: 'focus', id: this.id });
  }
  /** A user's close: the app may prevent it (close-to-tray). Answers whether it closed. */
  close(): boolean {
    const event = cancellable();
    this.emit('close', event);
    if (event.defaultPrevented) return false;
    this.destroyed = true;
    this.webContents.destroyed = true;
    windows.delete(this.id);
    record({ kind: 'window', op: 'closed', id: this.id });
    this.emit('closed');
    return true;
  }
}
export { BrowserWindowStandin as BrowserWindow };

// ---------- ipcMain, powerMonitor, shell, clipboard, dialog ----------
type InvokeHandler = (event: unknown, input: unknown) => unknown;
const ipcHandlers = new Map<string, InvokeHandler>();

class IpcMainStandin extends EventEmitter {
  handle(channel: string, handler: InvokeHandler): void {
    ipcHandlers.set(channel, handler);
    record({ kind: 'ipc', op: 'handle', channel });
  }
  removeHandler(channel: string): void {
    ipcHandlers.delete(channel);
  }
}
const ipcMainStandin = new IpcMainStandin();
export { ipcMainStandin as ipcMain };

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

// ---------- protocol, net, session ----------
type ProtocolHandler = (request: Request) => Promise<Response>;
const protocolHandlers = new Map<string, ProtocolHandler>();

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

// ---------- commands from the test ----------
function findNotification(prefix: string): NotificationStandin {
  const found = [...notifications]
    .reverse()
    .find((n) => (n.options.title ?? '').startsWith(prefix));
  if (!found) throw new Error(`no notification titled "${prefix}…"`);
  return found;
}

function windowById(id: number): BrowserWindowStandin {
  const win = windows.get(id);
  if (!win) throw new Error(`no open window ${id}`);
  return win;
}

async function fetchApp(url: string): Promise<unknown> {
  const handler = protocolHandlers.get(new URL(url).protocol.replace(':', ''));
  if (!handler) throw new Error('no protocol handler');
  const response = await handler(new Request(url));
  return {
    status: response.status,
    csp: response.headers.get('content-security-policy'),
    length: (await response.arrayBuffer()).byteLength,
  };
}

async function perform(command: StandinCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'click-menu':
      return clickMenu(command.path);
    case 'notification': {
      const note = findNotification(command.titleStartsWith);
      if (command.action === 'click') note.emit('click', cancellable());
      else note.emit('action', cancellable(), command.action);
      return note.options.title;
    }
    case 'app-event':
      if (command.event === 'open-url') app.emit('open-url', cancellable(), command.arg);
      else app.emit('second-instance', cancellable(), command.arg, process.cwd());
      return null;
    case 'power':
      powerMonitor.emit(command.event);
      return null;
    case 'ipc-invoke': {
      const handler = ipcHandlers.get(command.channel);
      if (!handler) throw new Error(`no IPC handler for ${command.channel}`);
      const senderFrame = { url: command.senderUrl, parent: command.subframe ? {} : null };
      return await handler({ senderFrame }, command.input);
    }
    case 'close-window':
      return windowById(command.windowId).close();
    case 'fetch-app':
      return fetchApp(command.url);
    case 'quit':
      app.quit();
      return null;
  }
}

process.on('message', (message: StandinRequest) => {
  perform(message.command).then(
    (value) => send({ type: 'reply', id: message.id, ok: true, value }),
    (error: unknown) =>
      send({
        type: 'reply',
        id: message.id,
        ok: false,
        value: error instanceof Error ? error.message : String(error),
      }),
  );
});

/** Default export: electron-store does `import electron from 'electron'`. */
export default {
  app,
  Menu,
  Tray,
  nativeImage,
  Notification: NotificationStandin,
  BrowserWindow: BrowserWindowStandin,
  ipcMain: ipcMainStandin,
  powerMonitor,
  shell,
  clipboard,
  dialog,
  protocol,
  net,
  session,
};
