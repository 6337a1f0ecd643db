/** `hourglass-broker drill`: options and exit code around runDrill. */
import { type Command, InvalidArgumentError } from 'commander';
import { runDrill } from './drill.ts';

const seconds = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 3600)
    throw new InvalidArgumentError('a whole number of seconds, 0 to 3600');
  return n;
};

/** Adds `drill` to the broker's program. */
export function registerDrill(program: Command): void {
  program
    .command('drill')
    .description(
      'rehearse a role: request as the drill identity, prove access, revoke, prove it is refused',
    )
    .requiredOption('--role <id>', 'the role to drill (it must need no approval)')
    .requiredOption('--broker <url>', "the broker's URL")
    .option(
      '--token-env <name>',
      'env var with the drill identity’s access token',
      'HOURGLASS_DRILL_TOKEN',
    )
    .option('--ssh-login <user@host>', 'where ssh proves access (default: the target’s host)')
    .option('--http-url <url>', 'a URL the jwt role’s token opens (2xx) and a revoked one does not')
    .option('--aws-endpoint <url>', 'the STS endpoint for aws roles (default: AWS’s regional one)')
    .option('--wait <seconds>', 'how long revocation may take to show at the target', seconds, 120)
    .option('--after-revoke <command>', 'run once after revoking (e.g. the KRL sync)')
    .action(
      async (opts: {
        role: string;
        broker: string;
        tokenEnv: string;
        sshLogin?: string;
        httpUrl?: string;
        awsEndpoint?: string;
        wait: number;
        afterRevoke?: string;
      }) => {
        const token = process.env[opts.tokenEnv];
        if (!token) {
          process.stderr.write(
            `hourglass-broker: set ${opts.tokenEnv} to the drill identity's access token\n`,
          );
          process.exitCode = 2;
          return;
        }
        process.exitCode = await runDrill({
          brokerUrl: opts.broker.replace(/\/$/, ''),
          role: opts.role,
          token,
          sshLogin: opts.sshLogin,
          httpUrl: opts.httpUrl,
          awsEndpoint: opts.awsEndpoint,
          waitSeconds: opts.wait,
          afterRevoke: opts.afterRevoke,
          out: (line) => process.stdout.write(`${line}\n`),
        });
      },
    );
}
