/** `hourglass`: the command-line client of the local agent. */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { resolveDataDir, socketPathFor } from '../agent/config.ts';
import { watchAgent } from '../agent/local-api.client.ts';
import { profileNameSchema } from '../protocol/index.ts';
import { connectAgent } from './agent-connection.ts';
import type { CliIo } from './commands.ts';
import { registerCommands } from './commands.ts';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.ts';
import { runHeadlessAgent } from './run-agent.ts';
import packageJson from '../package.json' with { type: 'json' };

const version: string = packageJson.version;

function parseProfileFlag(value: string): string {
  const parsed = profileNameSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]?.message ?? 'invalid');
  return parsed.data;
}

/** Runs the CLI on `argv` (without node and script); answers the exit code. */
export async function runCli(argv: string[], partial: Partial<CliIo> = {}): Promise<number> {
  const io: CliIo = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    // Read at call time: `--profile` changes `io.env` before any command runs.
    connect: () => connectAgent(io.env, io.err),
    watch: (onPush) => watchAgent(socketPathFor(resolveDataDir(io.env)), onPush),
    runAgent: () => runHeadlessAgent(io.env, io.err),
    interactive: process.stderr.isTTY === true,
    ...partial,
    env: partial.env ?? process.env,
  };
  let code: number = EXIT.ok;
  // Known before parsing: a usage error can stop commander before it has read `--json`.
  const end = argv.indexOf('--');
  const json = (end === -1 ? argv : argv.slice(0, end)).includes('--json');
  let usageError: string | null = null;
  const program = new Command('hourglass')
    .description('Temporary, time-bound production access.')
    .version(version, '-V, --version', 'print the version')
    .option(
      '--profile <name>',
      'use this profile (default: $HOURGLASS_PROFILE or "default")',
      parseProfileFlag,
    )
    .option('--json', 'print answers as JSON on stdout')
    .exitOverride()
    .configureOutput({
      writeOut: io.out,
      writeErr: io.err,
      // Under --json a usage error is one JSON error object on stdout, like every other failure.
      outputError: (text, write) => {
        if (json) usageError = text.replace(/^error: /, '').trim();
        else write(text);
      },
    })
    .showHelpAfterError(json ? false : '(run `hourglass --help` for usage)')
    .addHelpText('after', EXIT_CODES_HELP);
  program.hook('preAction', () => {
    const { profile } = program.opts<{ profile?: string }>();
    if (profile) io.env = { ...io.env, HOURGLASS_PROFILE: profile };
  });
  registerCommands(program, io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      const helpShown = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(
        error.code,
      );
      if (helpShown) return EXIT.ok;
      if (json) {
        const message = usageError ?? error.message.replace(/^error: /, '');
        io.out(
          `${JSON.stringify({ error: { code: 'bad_request', message: `${message}; run \`hourglass --help\` for usage` } })}\n`,
        );
      }
      return EXIT.usage;
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
