import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoStack } from '../demo/stack.ts';
import { startDemoStack } from '../demo/stack.ts';
import type { CliRun } from './profile-harness.ts';
import { answerSignIn } from './profile-harness.ts';

// The real CLI binary against the demo broker's published discovery, then a real sign-in with the
// profile it wrote.
const BIN = new URL('../bin/hourglass.js', import.meta.url).pathname;
let stack: DemoStack;
const home = join(mkdtempSync(join(tmpdir(), 'hg-setup-')), 'hourglass');
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  HOURGLASS_HOME: home,
  HOURGLASS_ALLOW_INSECURE_HTTP: '1',
};
if (process.env.DBUS_SESSION_BUS_ADDRESS)
  env.DBUS_SESSION_BUS_ADDRESS = process.env.DBUS_SESSION_BUS_ADDRESS;

function cli(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...env, ...extra }, cwd: tmpdir() },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        }),
    ),
  );
}

beforeAll(async () => {
  stack = await startDemoStack({ dataDir: mkdtempSync(join(tmpdir(), 'hg-setup-stack-')) });
});
afterAll(async () => {
  const pidFile = join(home, 'profiles', 'acme', 'agent.pid');
  if (existsSync(pidFile)) process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
  await stack?.close();
});

describe('hourglass setup <broker-url>', () => {
  it('writes a working profile from what the broker publishes', async () => {
    const setup = await cli(['--profile', 'acme', 'setup', `${stack.brokerUrl}/`]);
    expect(setup.stderr).toBe('');
    expect(setup.code).toBe(0);
    expect(setup.stdout).toContain(`Set up for broker ${stack.brokerUrl}`);
    const path = join(home, 'profiles', 'acme', 'config.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      issuer: stack.issuer,
      clientId: stack.clientId,
      brokerUrl: stack.brokerUrl,
      brokerAudience: stack.brokerAudience,
      audienceParameter: 'resource',
      demo: false,
      allowInsecureHttp: true,
    });
    // Only the profile's config: no environment variable points anywhere.
    const login = spawn(process.execPath, [BIN, '--profile', 'acme', 'login', '--no-browser'], {
      env: { ...env, HOURGLASS_ALLOW_INSECURE_HTTP: undefined },
      cwd: tmpdir(),
    });
    let stderr = '';
    login.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    await answerSignIn(() => stderr, 'alice');
    expect(await new Promise((resolve) => login.on('close', resolve))).toBe(0);
    const roles = await cli(['--profile', 'acme', 'roles'], {
      HOURGLASS_ALLOW_INSECURE_HTTP: undefined,
    });
    expect(roles).toMatchObject({ code: 0, stdout: expect.stringContaining('prod-api-readonly') });
  });

  it('threat: setup silently turns the demo off — a demo-configured default profile is refused without --force', async () => {
    // What `npm start` writes to the default profile (demo/demo-setup.ts).
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const demoConfig = {
      issuer: stack.issuer,
      brokerUrl: stack.brokerUrl,
      clientId: stack.clientId,
      brokerAudience: stack.brokerAudience,
      demo: true,
      allowInsecureHttp: true,
    };
    writeFileSync(join(home, 'config.json'), JSON.stringify(demoConfig), { mode: 0o600 });
    const refused = await cli(['setup', stack.brokerUrl]);
    expect(refused.stderr).toMatch(
      /this profile is the demo's \(`npm start` set it up\); setting it up for .* turns the demo off, and the next `npm start` will use another folder; to do it anyway, run `hourglass setup .* --force`/,
    );
    expect(refused.code).toBe(2);
    expect(JSON.parse(readFileSync(join(home, 'config.json'), 'utf8'))).toEqual(demoConfig);
    const forced = await cli(['setup', stack.brokerUrl, '--force']);
    expect(forced).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(readFileSync(join(home, 'config.json'), 'utf8'))).toMatchObject({
      brokerUrl: stack.brokerUrl,
      demo: false,
    });
  });

  it('refuses bad and unreachable URLs, non-brokers, and replacing another setup, each with what to do', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['setup', 'not a url'], 2, /"not a url" is not a URL; give the broker's address/],
      [['setup', 'http://127.0.0.1:9'], 5, /cannot reach http:\/\/127\.0\.0\.1:9; check the URL/],
      [
        ['setup', stack.issuer],
        2,
        /does not look like a Hourglass broker \(no valid \/\.well-known\/hourglass, HTTP 404\)/,
      ],
      [['setup', 'ftp://broker.example.com'], 2, /must use https/],
    ];
    for (const [args, code, message] of cases) {
      const run = await cli(args);
      expect(run.stderr).toMatch(message);
      expect(run.code).toBe(code);
    }
    expect(
      (await cli(['setup', `${stack.brokerUrl}`], { HOURGLASS_ALLOW_INSECURE_HTTP: '0' })).stderr,
    ).toMatch(/must use https/);
    // A profile set up for another broker is not replaced without --force.
    const oldDir = join(home, 'profiles', 'old');
    mkdirSync(oldDir, { recursive: true });
    writeFileSync(
      join(oldDir, 'config.json'),
      JSON.stringify({ brokerUrl: 'https://old.example.com' }),
    );
    const refused = await cli(['--profile', 'old', 'setup', stack.brokerUrl]);
    expect(refused.stderr).toMatch(
      /this profile is set up for https:\/\/old\.example\.com; to replace that, run `hourglass --profile old setup .* --force`/,
    );
    expect(refused.code).toBe(2);
    expect(await cli(['--profile', 'old', 'setup', stack.brokerUrl, '--force'])).toMatchObject({
      code: 0,
    });
  });
});
