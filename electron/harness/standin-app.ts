/** The stand-in `app`: lifecycle, paths, single-instance lock, protocol client, login items, quit. */
import { EventEmitter } from 'node:events';
import { cancellable, record } from './standin-record.ts';

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
