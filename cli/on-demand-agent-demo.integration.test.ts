import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processAlive } from '../agent/instance-lock-holder.ts';
import type { CliRun } from './profile-harness.ts';
import { cliTestEnv, waitFor } from './profile-harness.ts';

// The console demo (`npm start` without Electron) as a real process, the real CLI binary, real
// on-demand agents: Ctrl-C, a command while the demo is down, the demo started again.
const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/hourglass.js');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const base = join(mkdtempSync(join(tmpdir(), 'hg-demo-life-')), 'hourglass');
const env = cliTestEnv(base);
const leftovers: number[] = [];

function cli(...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd: tmpdir() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function startDemoProcess(): Promise<{
  child: ChildProcessWithoutNullStreams;
  out: () => string;
}> {
  const child = spawn(TSX, [join(ROOT, 'demo/start.ts')], { env, cwd: ROOT });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  await waitFor(
    'the demo to start',
    () => (out.includes('open the console') ? true : undefined),
    30_000,
  );
  return { child, out: () => out };
}

const pidOf = (dir: string): number => Number(readFileSync(join(dir, 'agent.pid'), 'utf8').trim());

afterAll(() => {
  for (const pid of leftovers) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
});

describe('the demo stopped and started again', () => {
  it('Ctrl-C leaves no agent; a command meanwhile says the demo is down; a restart replaces a stale agent', async () => {
    const first = await startDemoProcess();
    const bobDir = join(base, 'profiles', 'bob');
    expect(await cli('--profile', 'bob', 'status')).toMatchObject({ code: 0 });
    const bobAgent = pidOf(bobDir);
    leftovers.push(bobAgent);

    first.child.kill('SIGINT');
    await new Promise((resolve) => first.child.once('exit', resolve));
    await waitFor("bob's agent to end", () => (processAlive(bobAgent) ? undefined : true), 5000);

    const down = await cli('status');
    expect(down).toMatchObject({ code: 5, stdout: '' });
    expect(down.stderr).toBe('hourglass: the demo is not running: start it with `npm start`\n');
    expect(existsSync(join(base, 'agent.sock.lock'))).toBe(false);

    // An agent from an earlier run (as an older CLI started them): still holding the dead ports.
    const stale = spawn(process.execPath, [BIN, 'agent'], {
      env,
      cwd: tmpdir(),
      detached: true,
      stdio: 'ignore',
    });
    leftovers.push(stale.pid ?? 0);
    await waitFor('the stale agent', () =>
      existsSync(join(base, 'agent.pid')) ? true : undefined,
    );

    const second = await startDemoProcess();
    expect(second.out()).toContain(`stopped an agent left from an earlier run (pid ${stale.pid})`);
    expect(second.out()).not.toMatch(/\n\s+at /); // no stack trace
    const up = await cli('status');
    expect(up.stderr).toBe('');
    expect(up).toMatchObject({ code: 0 });
    second.child.kill('SIGINT');
    await new Promise((resolve) => second.child.once('exit', resolve));
    expect(processAlive(stale.pid ?? 0)).toBe(false);
    // Two demo starts of up to 30 s each (waitFor above): 15 s alone, up to 30 s beside the other
    // integration files.
  }, 90_000);
});
