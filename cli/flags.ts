/** Pure parsers for CLI flag values; errors name the flag. */
import { InvalidArgumentError } from 'commander';
import type { Shell } from '../protocol/index.ts';
import type { ExportLineShell } from '../protocol/export-command.ts';
import { parseDuration, shellSchema } from '../protocol/index.ts';

/** Parses `--for`: `90s`, `15m`, `1h`, `1h30m`. Throws commander's InvalidArgumentError (exit 2). */
export function parseForFlag(value: string): number {
  const parsed = parseDuration(value);
  if (parsed.status === 'error') throw new InvalidArgumentError(parsed.message);
  return parsed.seconds;
}

/** Parses `--shell`. */
export function parseShellFlag(value: string): Shell {
  const parsed = shellSchema.safeParse(value);
  if (!parsed.success)
    throw new InvalidArgumentError('use bash, zsh, fish, pwsh, nu, cmd, dotenv, env-file or json');
  return parsed.data;
}

/** The default shell for `env`: the login shell when it is one we write for, else bash. */
export function defaultShell(env: NodeJS.ProcessEnv): Shell {
  const name = (env.SHELL ?? '').split('/').pop() ?? '';
  const parsed = shellSchema.safeParse(name);
  return parsed.success ? parsed.data : 'bash';
}

/**
 * The shell a hint's export line is written for: the login shell when it needs a line of its own
 * (fish, pwsh, nu); else none, the POSIX `eval "$(…)"` line (bash, zsh, dash, sh).
 */
export function hintShell(env: NodeJS.ProcessEnv): ExportLineShell | undefined {
  const name = (env.SHELL ?? '').split('/').pop() ?? '';
  return name === 'fish' || name === 'pwsh' || name === 'nu' ? name : undefined;
}

/** The export line's shell for an `env` format: the shells themselves; none for files and data. */
export function lineShell(shell: Shell): ExportLineShell | undefined {
  return shell === 'bash' ||
    shell === 'zsh' ||
    shell === 'fish' ||
    shell === 'pwsh' ||
    shell === 'nu'
    ? shell
    : undefined;
}
