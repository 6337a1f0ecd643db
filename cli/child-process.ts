/**
 * Runs a child with extra environment, stdio inherited, signals forwarded, its exit code passed
 * through (128 + signal number when a signal ended it). Used by `exec` and `ssh`.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;

/** Spawns `command` and settles with its exit code; a missing command answers 127 (as shells do). */
export function runChild(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  onError: (message: string) => void,
): Promise<number> {
  return new Promise((resolve) => {
    // Listening before the spawn: the child may run (and be seen running) before the line after
    // spawn() does, and a signal then must be forwarded, not end this process by default. A
    // listener runs after this synchronous code, so `child` is set by then.
    let child: ChildProcess | null = null;
    const forward = (signal: NodeJS.Signals) => () => void child?.kill(signal);
    const handlers = FORWARDED.map((signal) => [signal, forward(signal)] as const);
    for (const [signal, handler] of handlers) process.on(signal, handler);
    child = spawn(command, args, { stdio: 'inherit', env });
    const done = (code: number) => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
      resolve(code);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      onError(
        error.code === 'ENOENT'
          ? `${command}: command not found`
          : `${command} could not start (${error.code ?? 'error'})`,
      );
      done(error.code === 'ENOENT' ? 127 : 126);
    });
    child.once('exit', (code, signal) => {
      done(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}
