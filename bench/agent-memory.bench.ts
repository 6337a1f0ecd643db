/** Headless agent memory: resident set of `hourglass agent` against an idle `node` process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { report } from './measure.ts';

function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!match) throw new Error('no VmRSS');
  return Number(match[1]);
}

async function settledRss(child: ChildProcess, ready: () => boolean): Promise<number> {
  for (let i = 0; i < 200 && !ready(); i++) await sleep(50);
  if (!ready()) throw new Error('process did not become ready');
  await sleep(1500);
  return rssKiB(child.pid!) / 1024;
}

/** Runs the agent memory benchmark; returns whether the ratio meets its goal. */
export async function benchAgentMemory(root: string): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'hourglass-bench-agent-'));
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify({
      issuer: 'http://127.0.0.1:9/',
      brokerUrl: 'http://127.0.0.1:9',
      allowInsecureHttp: true,
    }),
  );
  const idle = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  // The CLI launcher re-execs node with tsx; the agent process is the last in that chain.
  const agent = spawn(process.execPath, [join(root, 'bin', 'hourglass.js'), 'agent'], {
    env: { ...process.env, HOURGLASS_HOME: dir },
    stdio: 'ignore',
  });
  try {
    const baseline = await settledRss(idle, () => true);
    const agentRss = await settledRss(agent, () => existsSync(join(dir, 'agent.sock')));
    return report('headless agent RSS (MiB / idle node)', agentRss, baseline, 'MiB', 4);
  } finally {
    idle.kill();
    agent.kill('SIGTERM');
    await sleep(200);
    await rm(dir, { recursive: true, force: true });
  }
}
