/**
 * Who holds a data dir's agent lock, and stopping that agent: a stale headless agent from an
 * earlier run (the demo's settings of a stopped `npm start`) is replaced instead of left in the way.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Result } from '../protocol/index.ts';
import { fail, ok } from '../protocol/index.ts';
import { socketPathFor } from './config.ts';

function readPid(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Whether process `pid` exists (someone else's counts). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live process holding `dataDir`'s agent lock, and whether it is a headless `hourglass agent`. */
export function agentHolder(dataDir: string): { pid: number; headless: boolean } | null {
  const pid = readPid(`${socketPathFor(dataDir)}.lock`);
  if (pid === null || !processAlive(pid)) return null;
  // Only a headless agent writes agent.pid; the tray app and `npm start` hold the lock in-process.
  return { pid, headless: readPid(join(dataDir, 'agent.pid')) === pid };
}

/** The command that stops the agent of a profile, as the user types it. */
export function stopCommand(profile: string): string {
  return profile === 'default'
    ? 'hourglass agent --stop'
    : `hourglass --profile ${profile} agent --stop`;
}

/**
 * Stops the headless agent serving `dataDir` (SIGTERM, then waits up to `waitMs` for it to go).
 * Answers the pid stopped, or null when none ran. An agent inside an app is not ours to stop: the
 * answer names it so the user can quit that app.
 */
export async function stopHeadlessAgent(
  dataDir: string,
  waitMs = 5000,
): Promise<Result<number | null>> {
  const holder = agentHolder(dataDir);
  if (holder === null) return ok(null);
  if (!holder.headless)
    return fail(
      'conflict',
      `The agent for ${dataDir} runs inside an app (pid ${holder.pid}); quit that app (or \`kill ${holder.pid}\`)`,
    );
  try {
    process.kill(holder.pid, 'SIGTERM');
  } catch {
    // Gone between the look and the signal: nothing left to stop.
    if (!processAlive(holder.pid)) return ok(null);
    return fail(
      'conflict',
      `Cannot stop the agent (pid ${holder.pid}); stop it with \`kill ${holder.pid}\``,
    );
  }
  const until = Date.now() + waitMs;
  while (Date.now() < until) {
    if (!processAlive(holder.pid)) return ok(holder.pid);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return fail(
    'conflict',
    `The agent (pid ${holder.pid}) did not stop within ${Math.round(waitMs / 1000)} s; stop it with \`kill -9 ${holder.pid}\``,
  );
}

/**
 * Sends SIGTERM to the headless agent of each dir at once, without waiting (a process about to
 * exit may not get another turn of its event loop). Answers the pids signalled.
 */
export function signalHeadlessAgents(dataDirs: readonly string[]): number[] {
  const signalled: number[] = [];
  for (const dir of dataDirs) {
    const holder = agentHolder(dir);
    if (!holder?.headless) continue;
    try {
      process.kill(holder.pid, 'SIGTERM');
      signalled.push(holder.pid);
    } catch {
      // Gone already.
    }
  }
  return signalled;
}

/** The data dirs of every profile under `baseDir` that has one (the default profile is the base). */
export function profileDataDirs(baseDir: string): string[] {
  const dirs = existsSync(baseDir) ? [baseDir] : [];
  const profiles = join(baseDir, 'profiles');
  try {
    for (const entry of readdirSync(profiles, { withFileTypes: true }))
      if (entry.isDirectory()) dirs.push(join(profiles, entry.name));
  } catch {
    // No other profiles.
  }
  return dirs;
}
