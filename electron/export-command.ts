/** The shell line that loads a grant's credentials: what "Copy export command" copies. Pure. */
import { roleNameSchema } from '../protocol/broker-api.ts';
import { profileNameSchema, type Shell } from '../protocol/agent-api.ts';

/**
 * `eval "$(hourglass env <role>)"`, with `--profile` when not the default and `--shell` when
 * given (fish gets its own syntax). Never a secret: the CLI fetches the credential when the line
 * runs. Role and profile are re-validated so nothing but `[a-z0-9_-]` reaches a shell.
 */
export function exportCommand(role: string, profile: string, shell?: Shell): string {
  const safeRole = roleNameSchema.parse(role);
  const safeProfile = profileNameSchema.parse(profile);
  const flags = [
    safeProfile === 'default' ? '' : ` --profile ${safeProfile}`,
    shell ? ` --shell ${shell}` : '',
  ].join('');
  const env = `hourglass env${flags} ${safeRole}`;
  return shell === 'fish' ? `eval (${env})` : `eval "$(${env})"`;
}
