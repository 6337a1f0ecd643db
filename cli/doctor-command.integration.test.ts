import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoStack } from '../demo/stack.ts';
import { startDemoStack } from '../demo/stack.ts';
import type { CliRun } from './profile-harness.ts';

// The real CLI binary against the demo IdP and broker, with the test's unlocked gnome-keyring, with
// no session bus, and inside a D-Bus session of its own whose gnome-keyring is locked.
const BIN = new URL('../bin/hourglass.js', import.meta.url).pathname;
const LOCK_SCRIPT = [
  'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1',
  // An item stored first: the login collection exists (and is unlocked) before it is locked.
  // (polled for up to 15 s: on a loaded machine the daemon may take seconds to be on the bus;
  // never ready is the script's own failure, not a keychain the CLI would call unavailable)
  'ready=; for i in $(seq 1 75); do echo -n x | secret-tool store --label=ready hourglass-test ready 2>/dev/null && ready=1 && break; sleep 0.2; done',
  '{ [ -n "$ready" ] || { echo "test setup: the locked session\'s gnome-keyring never answered" >&2; exit 97; }; }',
  'dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null',
  'exec "$@"',
].join(' && ');

let stack: DemoStack;
const agentHomes: string[] = [];

function run(
  env: NodeJS.ProcessEnv,
  args: string[],
  locked = false,
): { done: Promise<CliRun>; stderr: () => string } {
  const [cmd, argv] = locked
    ? ['dbus-run-session', ['--', 'sh', '-c', LOCK_SCRIPT, '_', process.execPath, BIN, ...args]]
    : [process.execPath, [BIN, ...args]];
  const child = spawn(cmd, argv, { env, cwd: tmpdir() });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliRun>((resolve) =>
    child.on('close', (code) =>
      resolve({
        code: code ?? 1,
        // The keyring daemon of the locked session may add its own lines: not the CLI's.
        stdout: stdout.replace(/^GNOME_KEYRING_\w+=.*\n/gm, ''),
        stderr: stderr.replace(
          /^(dbus-daemon\[|\*\* Message|.*gcr-prompter|.*Gtk-WARNING).*\n/gm,
          '',
        ),
      }),
    ),
  );
  return { done, stderr: () => stderr };
}

function envFor(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), 'hg-doctor-'));
  agentHomes.push(join(home, 'state'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    HOURGLASS_HOME: join(home, 'state'),
    HOURGLASS_ISSUER: stack.issuer,
    HOURGLASS_BROKER_URL: stack.brokerUrl,
    HOURGLASS_ALLOW_INSECURE_HTTP: '1',
    ...overrides,
  };
  if (process.env.DBUS_SESSION_BUS_ADDRESS && !('DBUS_SESSION_BUS_ADDRESS' in overrides))
    env.DBUS_SESSION_BUS_ADDRESS = process.env.DBUS_SESSION_BUS_ADDRESS;
  return env;
}

/** Every file under `dir` holding something that looks like a JWT (ID or access token). */
function filesWithTokens(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && !e.parentPath.includes('keyrings'))
    .map((e) => join(e.parentPath, e.name))
    .filter((path) => /eyJ[\w-]{10,}\.eyJ/.test(readFileSync(path, 'latin1')));
}

beforeAll(async () => {
  stack = await startDemoStack({ dataDir: mkdtempSync(join(tmpdir(), 'hg-doctor-stack-')) });
});
afterAll(async () => {
  for (const home of agentHomes) {
    const pidFile = join(home, 'agent.pid');
    if (existsSync(pidFile)) process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
  }
  await stack?.close();
});

describe('hourglass doctor', () => {
  it('all good: exit 0, each part named', async () => {
    const { code, stdout } = await run(envFor(), ['doctor']).done;
    expect(stdout).toMatch(/^ok\s+keychain\s+reachable and unlocked$/m);
    expect(stdout).toMatch(/^ok\s+broker\s+http:\/\/127\.0\.0\.1:\d+ reachable \(ok\)$/m);
    expect(stdout).toMatch(/^ok\s+clock\s+-?\d+\.\d s off the broker's clock$/m);
    expect(stdout).toMatch(/^warn\s+agent\s+not running/m);
    expect(stdout).toContain('Everything Hourglass needs works.');
    expect(code).toBe(0);
  });

  it('broker down: names it and the fix, exit 5', async () => {
    const { code, stdout } = await run(envFor({ HOURGLASS_BROKER_URL: 'http://127.0.0.1:9' }), [
      'doctor',
    ]).done;
    expect(stdout).toMatch(
      /^FAIL\s+broker\s+http:\/\/127\.0\.0\.1:9 unreachable\n\s+fix: check your network/m,
    );
    expect(code).toBe(5);
  });

  it('no session bus: the keychain check names it and the fix, exit 5', async () => {
    const { code, stdout } = await run(envFor({ DBUS_SESSION_BUS_ADDRESS: undefined }), ['doctor'])
      .done;
    expect(stdout).toMatch(
      /^FAIL\s+keychain\s+The OS keychain is unavailable\n\s+fix: No D-Bus session bus/m,
    );
    expect(stdout).toContain('dbus-run-session');
    expect(code).toBe(5);
  });

  it('a locked gnome-keyring: doctor says locked with the fix, exit 5', async () => {
    const { code, stdout, stderr } = await run(envFor(), ['doctor'], true).done;
    expect(stdout, `stderr: ${stderr}`).toMatch(
      /^FAIL\s+keychain\s+The OS keychain is locked\n\s+fix: The keyring is locked: unlock it/m,
    );
    expect(code).toBe(5);
  });

  it('threat: a sign-in whose session cannot be kept: a locked gnome-keyring refuses it before any sign-in URL, tokens nowhere', async () => {
    const env = envFor();
    const { code, stderr } = await run(env, ['login', '--no-browser'], true).done;
    expect(stderr).toContain(
      'hourglass: The OS keychain is locked, so no sign-in was started; Hourglass never stores secrets elsewhere. The keyring is locked: unlock it',
    );
    expect(stderr).not.toContain('sign in:');
    expect(stderr).not.toContain(stack.issuer);
    expect(code).toBe(5);
    // The scan sees the agent's files (its log, grant store), and no token in any of them.
    expect(readdirSync(env.HOURGLASS_HOME ?? '')).toEqual(expect.arrayContaining(['agent.log']));
    expect(filesWithTokens(env.HOME ?? '')).toEqual([]);
  });
});
