import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processAlive } from '../agent/instance-lock-holder.ts';
import { waitFor } from './profile-harness.ts';

const BIN = new URL('../bin/hourglass.js', import.meta.url).pathname;
const started: number[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function cli(
  env: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, cwd: '/' }, (error, stdout, stderr) => {
      resolve({
        code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
        stdout,
        stderr,
      });
    });
  });
}

/** A new agent data dir and the env that points the CLI at it (IdP and broker never answer). */
function freshAgentHome(): { home: string; env: NodeJS.ProcessEnv } {
  const home = join(mkdtempSync(join(tmpdir(), 'hg-ondemand-')), 'home');
  return {
    home,
    env: {
      ...process.env,
      HOURGLASS_HOME: home,
      HOURGLASS_ISSUER: 'http://127.0.0.1:9/',
      HOURGLASS_BROKER_URL: 'http://127.0.0.1:9',
      HOURGLASS_ALLOW_INSECURE_HTTP: '1',
    },
  };
}

afterAll(async () => {
  for (const pid of started) if (processAlive(pid)) process.kill(pid, 'SIGTERM');
  // Cleanup, not an assertion: polled until they are gone (or 5 s), then any straggler is killed.
  await waitFor(
    'the started agents to exit',
    () => (started.some(processAlive) ? undefined : true),
    5000,
  ).catch(() => {
    for (const pid of started) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  });
});

describe('hourglass CLI without a running agent', () => {
  it('starts a headless agent on demand, from any cwd, and talks to it', async () => {
    const { home, env } = freshAgentHome();
    const status = await cli(env, 'status');
    const pidFile = join(home, 'agent.pid');
    if (existsSync(pidFile)) started.push(Number(readFileSync(pidFile, 'utf8').trim()));
    expect(status.stderr).toBe('');
    expect(status).toMatchObject({ code: 0 });
    expect(status.stdout).toContain('Not signed in');
    expect(statSync(join(home, 'agent.sock')).mode & 0o777).toBe(0o600);
    expect(started).toHaveLength(1);
    // A second call reuses the same agent.
    expect((await cli(env, 'status')).code).toBe(0);
    expect(Number(readFileSync(pidFile, 'utf8').trim())).toBe(started[0]);
    // A signed-out user gets exit 3 and a one-line hint.
    const roles = await cli(env, 'roles');
    expect(roles).toMatchObject({ code: 3, stdout: '' });
    expect(roles.stderr).toBe('hourglass: You are not signed in; run `hourglass login`\n');
  });

  it('three commands at once with no agent running end up with one agent, all answered', async () => {
    const { home, env } = freshAgentHome();
    const runs = await Promise.all([cli(env, 'status'), cli(env, 'status'), cli(env, 'status')]);
    const pid = Number(readFileSync(join(home, 'agent.pid'), 'utf8').trim());
    started.push(pid);
    for (const run of runs) expect(run).toMatchObject({ code: 0 });
    expect(readFileSync(join(home, 'agent.sock.lock'), 'utf8')).toBe(`${pid}\n`);
    // Every agent process that lost the race exits (some are still booting when the commands
    // are answered): only the lock holder stays.
    const agentsOf = () =>
      execFileSync('pgrep', ['-f', `${BIN} agent`], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map(Number)
        .filter((p) => {
          try {
            return readFileSync(`/proc/${p}/environ`, 'utf8').includes(`HOURGLASS_HOME=${home}`);
          } catch {
            return false; // exited meanwhile
          }
        });
    for (let i = 0; i < 50 && agentsOf().length > 1; i++) await sleep(100);
    expect(agentsOf()).toEqual([pid]);
  });

  it('explains which variable is missing when it cannot start an agent', async () => {
    const home = join(mkdtempSync(join(tmpdir(), 'hg-ondemand-')), 'home');
    const run = await cli(
      { PATH: process.env.PATH, HOME: process.env.HOME, HOURGLASS_HOME: home },
      'status',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('HOURGLASS_ISSUER is not set');
  });
});
