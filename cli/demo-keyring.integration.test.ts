import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from '../agent/instance-lock-holder.ts';
import type { CliRun } from './profile-harness.ts';
import { cliTestEnv, waitFor } from './profile-harness.ts';

// A headless box as a new user has it: no session bus in the shell. `npm start` (demo/start.ts)
// then runs inside a private D-Bus session with a gnome-keyring of its own; the CLI, run from the
// user's shell, has no bus at all. The real CLI binary, the real demo process, real agents.
const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/hourglass.js');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const home = mkdtempSync(join(tmpdir(), 'hg-demo-keyring-'));
const base = join(home, 'state', 'hourglass');
const noBus = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
  const { DBUS_SESSION_BUS_ADDRESS: _bus, HOURGLASS_DEMO_KEYRING: _demo, ...rest } = env;
  return rest;
};
const env = noBus(cliTestEnv(base, { HOME: home, HOURGLASS_DEMO_TARGETS: '0' }));
const leftovers: number[] = [];
const servers: Server[] = [];
let demo: ChildProcessWithoutNullStreams | null = null;

function cli(runEnv: NodeJS.ProcessEnv, ...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: runEnv, cwd: tmpdir() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

const pidIn = (dir: string): number | null => {
  const file = join(dir, 'agent.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : null;
};

afterAll(async () => {
  if (demo && demo.exitCode === null) {
    demo.kill('SIGINT');
    await new Promise((resolve) => demo?.once('exit', resolve));
  }
  for (const pid of leftovers) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  for (const server of servers) server.close();
});

describe('the demo on a headless box (no session bus in the shell)', () => {
  beforeAll(async () => {
    demo = spawn(TSX, [join(ROOT, 'demo/start.ts')], { env, cwd: ROOT });
    let out = '';
    demo.stdout.on('data', (c: Buffer) => (out += c.toString()));
    demo.stderr.on('data', (c: Buffer) => (out += c.toString()));
    await waitFor(
      'the demo to start',
      () => (out.includes('open the console') ? true : undefined),
      60_000,
    );
    expect(out).toContain('using a private demo keyring');
  }, 90_000);

  it('threat: a false keychain alarm and a misnamed agent: doctor asks the demo agent, which holds the keychain, and names it', async () => {
    const doctor = await cli(env, 'doctor');
    expect(doctor.stdout, doctor.stderr).toMatch(/^ok\s+keychain\s+reachable and unlocked$/m);
    expect(doctor.stdout).toMatch(/^ok\s+agent\s+running \(pid \d+, in the demo, `npm start`\)/m);
    expect(doctor.stdout).not.toContain('in an app');
    expect(doctor.code).toBe(0);
  }, 60_000);

  it("threat: a second person's demo profile cannot keep a sign-in: bob's agent gets the demo's keyring", async () => {
    const bob = await cli(env, '--profile', 'bob', 'doctor');
    expect(bob.stdout, bob.stderr).toMatch(/^ok\s+keychain\s+reachable and unlocked$/m);
    const started = await cli(env, '--profile', 'bob', 'status');
    expect(started.code, started.stderr).toBe(0);
    const bobPid = pidIn(join(base, 'profiles', 'bob'));
    if (bobPid) leftovers.push(bobPid);
    const bobDoctor = await cli(env, '--profile', 'bob', 'doctor');
    expect(bobDoctor.stdout, bobDoctor.stderr).toMatch(/^ok\s+keychain\s+reachable and unlocked$/m);
    expect(bobDoctor.stdout).toMatch(
      /^ok\s+agent\s+running \(pid \d+, headless, `hourglass --profile bob agent`\), profile bob/m,
    );
    const login = spawn(process.execPath, [BIN, '--profile', 'bob', 'login', '--no-browser'], {
      env,
      cwd: tmpdir(),
    });
    let loginErr = '';
    login.stderr.on('data', (c: Buffer) => (loginErr += c.toString()));
    await waitFor(
      "bob's sign-in URL",
      () => (/https?:\/\/127\.0\.0\.1:\d+\S*/.test(loginErr) ? true : undefined),
      20_000,
    );
    expect(loginErr).not.toContain('keychain');
    login.kill('SIGTERM');
  }, 60_000);
});

describe('login with a keychain the agent cannot reach', () => {
  it('threat: a sign-in whose session cannot be kept: it fails before any sign-in URL, the IdP never contacted', async () => {
    const seen: string[] = [];
    const idp = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(404).end();
    });
    servers.push(idp);
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    const dir = join(mkdtempSync(join(tmpdir(), 'hg-nobus-login-')), 'hourglass');
    const runEnv = noBus(
      cliTestEnv(dir, {
        HOURGLASS_ISSUER: issuer,
        HOURGLASS_BROKER_URL: 'http://127.0.0.1:9',
        HOURGLASS_ALLOW_INSECURE_HTTP: '1',
      }),
    );
    const login = await cli(runEnv, 'login', '--no-browser');
    const pid = pidIn(dir);
    if (pid) leftovers.push(pid);
    expect(login.stderr).toContain('The OS keychain is unavailable');
    expect(login.stderr).toContain('so no sign-in was started');
    expect(login.stderr).toContain('No D-Bus session bus');
    expect(`${login.stdout}${login.stderr}`).not.toContain(issuer);
    expect(login.code).toBe(5);
    expect(seen).toEqual([]);

    // The same broken keychain, asked of the running agent: doctor still FAILs it.
    const doctor = await cli(runEnv, 'doctor');
    expect(doctor.stdout).toMatch(/^FAIL\s+keychain\s+The OS keychain is unavailable/m);
    expect(doctor.stdout).toMatch(/^ok\s+agent\s+running \(pid \d+, headless/m);
    expect(doctor.code).toBe(5);
  }, 60_000);
});
