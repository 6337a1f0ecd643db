/** Messages between the harness test and the `electron` stand-in in the app process. */

/** A menu item as the stand-in saw it in `Menu.buildFromTemplate`. */
export interface RecordedMenuItem {
  label: string;
  type?: string;
  enabled: boolean;
  submenu?: RecordedMenuItem[];
}

/** Something the app did with Electron. */
export type Recorded =
  | { kind: 'tray'; op: 'menu'; menu: RecordedMenuItem[] }
  | { kind: 'tray'; op: 'title' | 'tooltip'; value: string }
  | { kind: 'tray'; op: 'image'; file: string; exists: boolean }
  | { kind: 'tray'; op: 'create' | 'destroy' }
  | { kind: 'notification'; title: string; body: string; actions: string[]; urgency: string }
  | { kind: 'window'; op: 'create'; id: number; width: number; height: number; prefs: unknown }
  | { kind: 'window'; op: 'load'; id: number; url: string }
  | { kind: 'window'; op: 'show' | 'hide' | 'focus' | 'closed'; id: number }
  | { kind: 'window'; op: 'push'; id: number; type: string }
  | { kind: 'app'; op: string; value?: unknown }
  | { kind: 'shell'; op: 'openExternal'; url: string }
  | { kind: 'clipboard'; text: string }
  | { kind: 'ipc'; op: 'handle'; channel: string }
  | { kind: 'protocol'; op: string; scheme: string }
  | { kind: 'power'; op: 'on'; event: string }
  | { kind: 'dialog'; title: string; message: string };

/** A command from the test to the stand-in. */
export type StandinCommand =
  | { cmd: 'click-menu'; path: string[] }
  | { cmd: 'notification'; titleStartsWith: string; action: number | 'click' }
  | { cmd: 'app-event'; event: 'second-instance' | 'open-url'; arg: string[] | string }
  | { cmd: 'power'; event: 'resume' | 'unlock-screen' | 'lock-screen' | 'suspend' }
  | { cmd: 'ipc-invoke'; channel: string; senderUrl: string; subframe: boolean; input: unknown }
  | { cmd: 'close-window'; windowId: number }
  | { cmd: 'fetch-app'; url: string }
  | { cmd: 'quit' };

/** Stand-in → test: a recording, or the answer to command `id`. */
export type StandinMessage =
  | { type: 'recorded'; at: number; event: Recorded }
  | { type: 'reply'; id: number; ok: boolean; value: unknown };

/** Test → stand-in. */
export interface StandinRequest {
  id: number;
  command: StandinCommand;
}
