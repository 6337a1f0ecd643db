/** Shared steps of the main-process harness tests: the app's env for a demo stack, polling, output. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoStack } from '../../demo/stack.ts';

/** The environment that points the app at `stack`, with its data and settings under `root`. */
export function appEnvFor(stack: DemoStack, root: string): NodeJS.ProcessEnv {
  return {
    HOURGLASS_HOME: join(root, 'agent'),
    HOURGLASS_ISSUER: stack.issuer,
    HOURGLASS_BROKER_URL: stack.brokerUrl,
    HOURGLASS_CLIENT_ID: stack.clientId,
    HOURGLASS_AUDIENCE: stack.brokerAudience,
    HOURGLASS_ALLOW_INSECURE_HTTP: '1',
    HOURGLASS_DEMO: '1',
    HOURGLASS_STANDIN_USER_DATA: join(root, 'user-data'),
    XDG_CONFIG_HOME: join(root, 'config'),
  };
}

/** Polls `done` until it answers true, or throws naming `what`. */
export async function pollUntil(
  what: string,
  done: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Prints a titled block into the test output (recorded menus, notifications). */
export function print(title: string, text: string): void {
  process.stdout.write(`\n── ${title} ──\n${text}\n`);
}

/**
 * A terminal emulator for the app to start (there is no terminal window on this box): writes its
 * argv, one per line, to `<root>/terminal-argv`. Answers the directory to put first on PATH.
 */
export function fakeTerminal(root: string): string {
  const bin = join(root, 'bin');
  const argv = join(root, 'terminal-argv');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'x-terminal-emulator'),
    // Written aside, then renamed: the test never reads a half-written file.
    `#!/bin/sh\nprintf '%s\\n' "$@" > '${argv}.tmp' && mv '${argv}.tmp' '${argv}'\n`,
    { mode: 0o755 },
  );
  return bin;
}

/** Writes the app's settings file, as a previous run would have left it. */
export function writeSettings(root: string, settings: unknown): void {
  mkdirSync(join(root, 'user-data'), { recursive: true });
  writeFileSync(join(root, 'user-data', 'settings.json'), JSON.stringify(settings));
}

/** Puts an `hourglass` command running this checkout's CLI into `bin` (as an install would). */
export function cliOnPath(bin: string): void {
  const cli = new URL('../../bin/hourglass.js', import.meta.url).pathname;
  writeFileSync(join(bin, 'hourglass'), `#!/bin/sh\nexec '${process.execPath}' '${cli}' "$@"\n`, {
    mode: 0o755,
  });
}
