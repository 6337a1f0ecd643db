/**
 * One agent per data dir. Two CLI commands that each start an agent on demand must not end with
 * two agents, one unreachable behind an unlinked socket, both rewriting the grant store.
 */
import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import type { Result } from '../protocol/index.ts';
import { fail, ok } from '../protocol/index.ts';

/** A held lock; `release` removes it. */
export interface InstanceLock {
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else; still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Takes the lock at `path` (created exclusively, holding our pid); a dead holder's lock is taken over. */
export function acquireInstanceLock(path: string, pid: number = process.pid): Result<InstanceLock> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${pid}\n`);
      closeSync(fd);
      return ok({
        release: () => {
          if (holderOf(path) === pid) rmSync(path, { force: true });
        },
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        return fail('unavailable', `Cannot create the agent lock ${path}; check the directory`);
      }
      const holder = holderOf(path);
      if (holder !== null && holder !== pid && isAlive(holder)) {
        return fail('conflict', `An agent is already running (pid ${holder}); lock ${path}`);
      }
      // A crashed agent left its lock behind: take it over.
      rmSync(path, { force: true });
    }
  }
  return fail('conflict', `Another agent took the lock ${path} at the same moment`);
}
