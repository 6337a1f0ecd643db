/** The test's commands, performed in the app process. */
import { app } from './standin-app.ts';
import type { StandinCommand, StandinRequest } from './standin-protocol.ts';
import { cancellable, send } from './standin-record.ts';
import { ipcHandlers, powerMonitor, protocolHandlers } from './standin-services.ts';
import { clickMenu, notifications, type NotificationStandin } from './standin-ui.ts';
import { windows, type BrowserWindowStandin } from './standin-window.ts';

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

/** Performs one command from the test. */
export async function perform(command: StandinCommand): Promise<unknown> {
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

/** Answers the test's commands, one reply per request. */
export function serveCommands(): void {
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
}
