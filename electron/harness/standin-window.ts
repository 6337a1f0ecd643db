/** The stand-in BrowserWindow and its webContents. */
import { EventEmitter } from 'node:events';
import { cancellable, record } from './standin-record.ts';

let nextWindowId = 1;
/** Open windows by id. */
export const windows = new Map<number, BrowserWindowStandin>();

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

/** The stand-in `BrowserWindow`. */
export class BrowserWindowStandin extends EventEmitter {
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
