import { describe, expect, it } from 'vitest';
import { exportCommand } from './export-command.ts';
import { terminalLaunch } from './terminal-launch.ts';

describe('exportCommand', () => {
  it('is the eval line for the role, with profile and shell when given', () => {
    expect(exportCommand('prod-db', 'default')).toBe('eval "$(hourglass env prod-db)"');
    expect(exportCommand('prod-db', 'work', 'zsh')).toBe(
      'eval "$(hourglass env --profile work --shell zsh prod-db)"',
    );
    expect(exportCommand('prod-db', 'default', 'fish')).toBe(
      'eval (hourglass env --shell fish prod-db)',
    );
  });

  it('refuses a role or profile that could carry shell syntax', () => {
    expect(() => exportCommand('db"; rm -rf ~; "', 'default')).toThrow();
    expect(() => exportCommand('db', '$(id)')).toThrow();
  });
});

describe('terminalLaunch', () => {
  it('starts a terminal whose shell loads the credentials itself (no secret in argv)', () => {
    expect(terminalLaunch('linux', 'prod-db', 'default', 'bash')).toEqual({
      command: 'x-terminal-emulator',
      args: ['-e', 'bash', '-c', 'eval "$(hourglass env --shell bash prod-db)"; exec bash'],
    });
    expect(terminalLaunch('darwin', 'prod-db', 'default', 'zsh').command).toBe('osascript');
    expect(terminalLaunch('win32', 'prod-db', 'default', 'bash').args.at(-1)).toBe(
      'hourglass env prod-db',
    );
  });
});
