import { describe, expect, it } from 'vitest';
import { terminalLaunch } from './terminal-launch.ts';

describe('terminalLaunch', () => {
  it('starts a terminal whose shell loads the credentials itself (no secret in argv)', () => {
    expect(terminalLaunch('linux', 'prod-db', 'default', 'bash')).toEqual({
      command: 'x-terminal-emulator',
      args: ['-e', 'bash', '-c', 'eval "$(hourglass env --shell bash prod-db)"; exec bash'],
    });
    expect(terminalLaunch('linux', 'prod-db', 'default', 'fish').args).toEqual([
      '-e',
      'fish',
      '-c',
      'hourglass env --shell fish prod-db | source; exec fish',
    ]);
    expect(terminalLaunch('darwin', 'prod-db', 'default', 'zsh').command).toBe('osascript');
    expect(terminalLaunch('win32', 'prod-db', 'default', 'bash').args.at(-1)).toBe(
      'hourglass env prod-db',
    );
  });
});
