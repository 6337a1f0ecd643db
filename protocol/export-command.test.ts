import { describe, expect, it } from 'vitest';
import { exportCommand } from './export-command.ts';

describe('exportCommand', () => {
  it('is the line for the role and shell, with the profile when not the default', () => {
    expect(exportCommand('prod-db', 'default')).toBe('eval "$(hourglass env prod-db)"');
    expect(exportCommand('prod-db', 'work', 'zsh')).toBe(
      'eval "$(hourglass env --profile work --shell zsh prod-db)"',
    );
    expect(exportCommand('prod-db', 'default', 'fish')).toBe(
      'hourglass env --shell fish prod-db | source',
    );
    expect(exportCommand('prod-db', 'default', 'pwsh')).toBe(
      'hourglass env --shell pwsh prod-db | Out-String | Invoke-Expression',
    );
    expect(exportCommand('prod-db', 'work', 'nu')).toBe(
      'hourglass env --profile work --shell json prod-db | from json | load-env',
    );
  });

  it('refuses a role or profile that could carry shell syntax', () => {
    expect(() => exportCommand('db"; rm -rf ~; "', 'default')).toThrow();
    expect(() => exportCommand('db', '$(id)')).toThrow();
  });
});
