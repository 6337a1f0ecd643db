/**
 * The one line that loads a grant's credentials into a shell: what the app's "Copy export command"
 * and "Open terminal", the console and the CLI's hints offer. Pure; one home for every process.
 */
import type { Shell } from './agent-api.ts';

// Shell injection through a role or profile name: only the characters the role and profile
// contracts allow pass. A plain pattern, not the zod contracts: the CLI's fast path loads no zod.
const SHELL_WORD = /^[a-z0-9][a-z0-9_-]*$/;

function shellWord(name: string, max: number): string {
  if (name.length > max || !SHELL_WORD.test(name))
    throw new Error('a role or profile name is lowercase letters, digits, _ and -');
  return name;
}

/** Shells a copied line is written for (the others are files or data, not a line to run). */
export type ExportLineShell = Extract<Shell, 'bash' | 'zsh' | 'fish' | 'pwsh' | 'nu'>;

/**
 * The line for `shell` (none: the POSIX line, whose `env` picks the format from `$SHELL`), with
 * `--profile` when not the default. Each keeps `env`'s output whole, newlines included:
 * - bash, zsh (and dash): `eval "$(…)"`, quoted so the lines are not joined;
 * - fish: `… | source` — `eval (…)` would split the output into arguments and join them with
 *   spaces, one command line setting the first variable to all the others;
 * - pwsh: `… | Out-String | Invoke-Expression` (one script, not one expression per line);
 * - nu (no eval): the JSON form through `from json | load-env`.
 * Never a secret: the CLI fetches the credential when the line runs. Role and profile are
 * re-validated so nothing but `[a-z0-9_-]` reaches a shell.
 */
export function exportCommand(role: string, profile: string, shell?: ExportLineShell): string {
  const safeRole = shellWord(role, 64);
  const safeProfile = shellWord(profile, 32);
  const env = (format?: Shell) =>
    [
      'hourglass env',
      safeProfile === 'default' ? '' : ` --profile ${safeProfile}`,
      format ? ` --shell ${format}` : '',
      ` ${safeRole}`,
    ].join('');
  switch (shell) {
    case 'fish':
      return `${env('fish')} | source`;
    case 'pwsh':
      return `${env('pwsh')} | Out-String | Invoke-Expression`;
    case 'nu':
      return `${env('json')} | from json | load-env`;
    case 'bash':
    case 'zsh':
    case undefined:
      return `eval "$(${env(shell)})"`;
  }
}
