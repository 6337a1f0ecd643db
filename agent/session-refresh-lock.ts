/**
 * A file lock around the IdP refresh, shared by every process of a profile (the tray, headless
 * agents, tests): refresh tokens rotate, and a rotated token used twice makes the IdP revoke the
 * whole sign-in. Whoever holds the lock re-reads the keychain first, so it refreshes with the
 * newest token.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import type { Result } from '../protocol/index.ts';
import { fail } from '../protocol/index.ts';
import { processAlive } from './instance-lock-holder.ts';

/** How long to wait for another process's refresh, and when a held lock counts as abandoned. */
export interface RefreshLockOptions {
  waitMs?: number;
  staleMs?: number;
}

function holder(path: string): { pid: number; ageMs: number } | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').split(':')[0]);
    return { pid, ageMs: Date.now() - statSync(path).mtimeMs };
  } catch {
    return null;
  }
}

function tryTake(path: string, token: string): 'taken' | 'held' | 'error' {
  try {
    const fd = openSync(path, 'wx', 0o600);
    writeSync(fd, token);
    closeSync(fd);
    return 'taken';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EEXIST' ? 'held' : 'error';
  }
}

/** Runs `work` holding the lock at `path`; answers its result, or a failure when the wait ends. */
export async function withRefreshLock<T>(
  path: string,
  work: () => Promise<Result<T>>,
  opts: RefreshLockOptions = {},
): Promise<Result<T>> {
  const token = `${process.pid}:${randomBytes(8).toString('hex')}`;
  const until = Date.now() + (opts.waitMs ?? 20_000);
  for (;;) {
    const taken = tryTake(path, token);
    if (taken === 'taken') break;
    if (taken === 'error')
      return fail('unavailable', `Cannot create the refresh lock ${path}; check the directory`);
    const held = holder(path);
    // A holder that died, or hung far longer than any refresh takes, left the lock behind.
    if (held && (!processAlive(held.pid) || held.ageMs > (opts.staleMs ?? 30_000))) {
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() > until)
      return fail(
        'unavailable',
        'Another Hourglass process is refreshing your session; retry shortly',
      );
    await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 30));
  }
  try {
    return await work();
  } finally {
    try {
      if (readFileSync(path, 'utf8') === token) rmSync(path, { force: true });
    } catch {
      // Already gone (taken over as stale): nothing to release.
    }
  }
}
