/** The `hourglass` commands: thin clients of the agent's local API. */
import type { Command } from 'commander';
import type { AgentHandlers, Result, Shell } from '../protocol/index.ts';
import { exitCodeFor, EXIT } from './exit-codes.ts';
import { defaultShell, parseForFlag, parseShellFlag } from './flags.ts';
import { formatRequested, formatRoles, formatStatus } from './format.ts';

/** Where a command writes, which environment it sees, and how it reaches the agent. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  connect: () => Promise<Result<AgentHandlers>>;
  /** Runs the headless agent in the foreground until a signal; answers the exit code. */
  runAgent: () => Promise<number>;
}

/** Sets the exit code for a command's outcome. */
type Finish = (code: number) => void;

function failed(
  io: CliIo,
  result: { ok: false; error: { code: Parameters<typeof exitCodeFor>[0]; message: string } },
): number {
  io.err(`hourglass: ${result.error.message}\n`);
  return exitCodeFor(result.error.code);
}

async function withAgent(
  io: CliIo,
  run: (agent: AgentHandlers) => Promise<number>,
): Promise<number> {
  const agent = await io.connect();
  return agent.ok ? run(agent.value) : failed(io, agent);
}

/** Registers every command on `program`; each calls `finish` with its exit code. */
export function registerCommands(program: Command, io: CliIo, finish: Finish): void {
  const action = (run: () => Promise<number>) => async () => finish(await run());

  program
    .command('login')
    .description('sign in with your identity provider (system browser)')
    .option('--no-browser', 'print the sign-in URL instead of opening a browser')
    .action(async (opts: { browser: boolean }) =>
      finish(
        await withAgent(io, async (agent) => {
          const begun = await agent.beginLogin({ openBrowser: opts.browser });
          if (!begun.ok) return failed(io, begun);
          const url = begun.value.authorizationUrl;
          io.err(
            opts.browser
              ? `Opening your browser to sign in. If it does not open, visit:\n  ${url}\n`
              : `Open this URL in your browser to sign in:\n  ${url}\n`,
          );
          const done = await agent.awaitLogin({ loginId: begun.value.loginId });
          if (!done.ok) return failed(io, done);
          const u = done.value.user;
          io.out(`Signed in as ${u.name ?? u.subject}${u.email ? ` <${u.email}>` : ''}\n`);
          return EXIT.ok;
        }),
      ),
    );

  program
    .command('roles')
    .description('list the roles you may request, with their policy')
    .action(
      action(() =>
        withAgent(io, async (agent) => {
          const roles = await agent.listRoles({});
          if (!roles.ok) return failed(io, roles);
          io.out(formatRoles(roles.value.roles));
          return EXIT.ok;
        }),
      ),
    );

  program
    .command('request <role>')
    .description('request temporary access to a role')
    .requiredOption('--for <duration>', 'how long, e.g. 90s, 15m, 1h', parseForFlag)
    .requiredOption('--reason <text>', 'why you need it (recorded in the audit log)')
    .option('--ticket <id>', 'ticket or incident id')
    .action(async (role: string, opts: { for: number; reason: string; ticket?: string }) =>
      finish(
        await withAgent(io, async (agent) => {
          const input = {
            role,
            durationSeconds: opts.for,
            reason: opts.reason,
            ...(opts.ticket ? { ticket: opts.ticket } : {}),
          };
          const asked = await agent.requestGrant(input);
          if (!asked.ok) return failed(io, asked);
          io.out(formatRequested(asked.value.grant, new Date().toISOString()));
          return EXIT.ok;
        }),
      ),
    );

  program
    .command('status')
    .description('who is signed in, and your active grants with time left')
    .action(
      action(() =>
        withAgent(io, async (agent) => {
          const status = await agent.getStatus({});
          if (!status.ok) return failed(io, status);
          const grants = status.value.loggedIn ? await agent.listGrants({}) : null;
          if (grants && !grants.ok) return failed(io, grants);
          io.out(formatStatus(status.value, grants?.value.grants ?? []));
          return EXIT.ok;
        }),
      ),
    );

  program
    .command('env <role>')
    .description('print export lines for an active grant: eval "$(hourglass env <role>)"')
    .option('--shell <shell>', 'bash, zsh or fish (default: from $SHELL)', parseShellFlag)
    .action(async (role: string, opts: { shell?: Shell }) =>
      finish(
        await withAgent(io, async (agent) => {
          const exported = await agent.exportGrant({
            role,
            shell: opts.shell ?? defaultShell(io.env),
          });
          if (!exported.ok) return failed(io, exported);
          // The only place the CLI writes a secret, and only to stdout.
          io.out(exported.value.script);
          return EXIT.ok;
        }),
      ),
    );

  program
    .command('logout')
    .description('sign out: revoke the session and wipe every keychain item')
    .action(
      action(() =>
        withAgent(io, async (agent) => {
          const done = await agent.logout({});
          if (!done.ok) return failed(io, done);
          io.out(`Signed out; wiped ${done.value.wiped} grant credential(s).\n`);
          return EXIT.ok;
        }),
      ),
    );

  program
    .command('agent')
    .description('run the headless agent in the foreground')
    .action(action(() => io.runAgent()));
}
