/** "Open terminal with credentials": which program to start, per platform. Pure. */
import type { TerminalShell } from '../renderer/settings.logic.ts';
import { roleNameSchema } from '../protocol/broker-api.ts';
import { exportCommand } from '../protocol/export-command.ts';

/** A program and its arguments (spawned detached, no shell in between). */
export interface TerminalLaunch {
  command: string;
  args: string[];
}

/**
 * A terminal whose shell first loads the role's credentials with `hourglass env` (the secret is
 * fetched inside that shell, never passed on a command line), then stays open.
 */
export function terminalLaunch(
  platform: NodeJS.Platform,
  role: string,
  profile: string,
  shell: TerminalShell,
): TerminalLaunch {
  const script = `${exportCommand(role, profile, shell)}; exec ${shell}`;
  if (platform === 'darwin') {
    return {
      command: 'osascript',
      args: [
        '-e',
        `tell application "Terminal" to do script ${JSON.stringify(`${shell} -c '${script}'`)}`,
      ],
    };
  }
  if (platform === 'win32') {
    // cmd.exe has no eval: the window runs the CLI, which prints what to set.
    return {
      command: 'cmd.exe',
      args: ['/c', 'start', 'cmd.exe', '/k', `hourglass env ${exportRoleOnly(role)}`],
    };
  }
  return { command: 'x-terminal-emulator', args: ['-e', shell, '-c', script] };
}

function exportRoleOnly(role: string): string {
  return roleNameSchema.parse(role);
}
