/** `hourglass`: the command-line client of the local agent. */
import { Command, CommanderError } from 'commander';
import { connectAgent } from './agent-connection.ts';
import type { CliIo } from './commands.ts';
import { registerCommands } from './commands.ts';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.ts';
import { runHeadlessAgent } from './run-agent.ts';
import packageJson from '../package.json' with { type: 'json' };

const version: string = packageJson.version;

/** Runs the CLI on `argv` (without node and script); answers the exit code. */
export async function runCli(argv: string[], partial: Partial<CliIo> = {}): Promise<number> {
  const env = partial.env ?? process.env;
  const io: CliIo = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    connect: () => connectAgent(env),
    runAgent: () => runHeadlessAgent(env, io.err),
    ...partial,
    env,
  };
  let code: number = EXIT.ok;
  const program = new Command('hourglass')
    .description('Temporary, time-bound production access.')
    .version(version, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run `hourglass --help` for usage)')
    .addHelpText('after', EXIT_CODES_HELP);
  registerCommands(program, io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      const helpShown = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(
        error.code,
      );
      return helpShown ? EXIT.ok : EXIT.usage;
    }
    io.err(`hourglass: unexpected error${error instanceof Error ? `: ${error.name}` : ''}\n`);
    return EXIT.unexpected;
  }
  return code;
}

/** Entry point for bin/hourglass.js. */
export async function main(): Promise<void> {
  process.exit(await runCli(process.argv.slice(2)));
}
