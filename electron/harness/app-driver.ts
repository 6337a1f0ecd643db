/**
 * Test side of the main-process harness: starts `electron/main.ts` under Node with the recording
 * `electron` stand-in, collects what it records, waits on conditions and sends commands.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type {
  Recorded,
  RecordedMenuItem,
  StandinCommand,
  StandinMessage,
} from './standin-protocol.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const REGISTER = fileURLToPath(new URL('./register-standin.mjs', import.meta.url));

/** A running app under the harness. */
export interface AppUnderTest {
  /** Everything recorded so far, in order. */
  records: Recorded[];
  /** What the app wrote to stderr (its log). */
  log(): string;
  /** Waits until `find` returns a value (polled on each record and every 50 ms), or throws. */
  waitFor<T>(
    what: string,
    find: () => T | undefined | null | false,
    timeoutMs?: number,
  ): Promise<T>;
  command(command: StandinCommand): Promise<unknown>;
  /** The latest tray menu. */
  menu(): RecordedMenuItem[];
  /** The first label of the latest menu matching `pattern`. */
  menuLabel(pattern: RegExp): string | undefined;
  /** The records of one kind. */
  recorded<K extends Recorded['kind']>(kind: K): Extract<Recorded, { kind: K }>[];
  /** Every URL a window loaded, in order. */
  windowLoads(): { id: number; url: string }[];
  /** Invokes an IPC channel as the app's main frame would (or a forged sender). */
  invoke(
    channel: string,
    input: unknown,
    sender?: { url?: string; subframe?: boolean },
  ): Promise<unknown>;
  /** Ends the app (quit from the tray when possible, else SIGTERM); answers its exit code. */
  stop(): Promise<number | null>;
}

/** Renders a menu as indented text for the test output. */
export function menuText(items: readonly RecordedMenuItem[], depth = 0): string {
  return items
    .map((item) => {
      const pad = '  '.repeat(depth);
      const line =
        item.type === 'separator'
          ? `${pad}────`
          : `${pad}${item.label}${item.enabled ? '' : ' (label)'}${item.submenu ? ' ▸' : ''}`;
      return item.submenu ? `${line}\n${menuText(item.submenu, depth + 1)}` : line;
    })
    .join('\n');
}

/** Every label in a menu, depth first. */
export function menuLabels(items: readonly RecordedMenuItem[]): string[] {
  return items.flatMap((i) => [i.label, ...menuLabels(i.submenu ?? [])]);
}

/** Starts the app with `env` (merged over this process's). */
export function startAppUnderTest(env: NodeJS.ProcessEnv, argv: string[] = []): AppUnderTest {
  const records: Recorded[] = [];
  let stderr = '';
  let nextId = 1;
  const replies = new Map<number, (message: StandinMessage & { type: 'reply' }) => void>();
  const child: ChildProcess = fork(MAIN, argv, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    execArgv: ['--import', 'tsx', '--import', REGISTER],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.on('message', (message: StandinMessage) => {
    if (message.type === 'recorded') records.push(message.event);
    else replies.get(message.id)?.(message);
  });
  const menu = () => {
    for (let i = records.length - 1; i >= 0; i--) {
      const r = records[i];
      if (r?.kind === 'tray' && r.op === 'menu') return r.menu;
    }
    return [];
  };
  const recorded = <K extends Recorded['kind']>(kind: K) =>
    records.filter((r): r is Extract<Recorded, { kind: K }> => r.kind === kind);
  const command = (cmd: StandinCommand) => {
    const id = nextId++;
    return new Promise<unknown>((resolve, reject) => {
      replies.set(id, (reply) => {
        replies.delete(id);
        if (reply.ok) resolve(reply.value);
        else reject(new Error(String(reply.value)));
      });
      child.send({ id, command: cmd });
    });
  };
  return {
    records,
    log: () => stderr,
    menu,
    menuLabel: (pattern) => menuLabels(menu()).find((l) => pattern.test(l)),
    recorded,
    windowLoads: () =>
      recorded('window').flatMap((r) => (r.op === 'load' ? [{ id: r.id, url: r.url }] : [])),
    invoke: (channel, input, sender = {}) =>
      command({
        cmd: 'ipc-invoke',
        channel,
        senderUrl: sender.url ?? 'app://hourglass/index.html',
        subframe: sender.subframe ?? false,
        input,
      }),
    async waitFor(what, find, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = find();
        if (found !== undefined && found !== null && found !== false) return found;
        if (child.exitCode !== null)
          throw new Error(`app exited while waiting for ${what}\n${stderr}`);
        if (Date.now() > deadline) {
          throw new Error(
            `timed out waiting for ${what}\nlast menu:\n${menuText(menu())}\nlog:\n${stderr}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    command,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      if (child.connected) child.send({ id: 0, command: { cmd: 'quit' } }, () => undefined);
      const timer = setTimeout(() => child.kill('SIGTERM'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
