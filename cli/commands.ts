/** The `hourglass` commands: thin clients of the agent's local API. */
import type { Command } from 'commander';
import type { AgentHandlers, IdpRevocation, Shell } from '../protocol/index.ts';
import { assertNever } from '../protocol/index.ts';
import type { CliIo, Ctx } from './command-support.ts';
import { failed, print, withAgent, withProfileHints } from './command-support.ts';
import { EXIT } from './exit-codes.ts';
import { defaultShell, lineShell, parseForFlag, parseShellFlag } from './flags.ts';
import { exportCommand } from '../protocol/export-command.ts';
import { formatRoles, formatStatus } from './format.ts';
import { formatHistory } from './format-lifecycle.ts';
import { registerGrantCommands } from './grant-commands.ts';
import { registerCredentialCommands } from './credential-commands.ts';
import { failureScript } from '../agent/export-format.ts';
import { ownGrants } from './grant-ref.ts';
import type { RequestOptions } from './request-command.ts';
import { runRequest } from './request-command.ts';
import { stopAgents } from './run-agent.ts';
import { runDoctor } from './doctor-command.ts';
import type { SetupOptions } from './setup-command.ts';
import { runSetup } from './setup-command.ts';
import { runConsole } from './console-command.ts';
import type { LoginOptions } from './login-command.ts';
import { runLogin } from './login-command.ts';
import { localTime } from './local-time.ts';

export type { CliIo } from './command-support.ts';

/** Sets the exit code for a command's outcome. */
type Finish = (code: number) => void;

async function status(c: Ctx, agent: AgentHandlers): Promise<number> {
  // A resync first (fresh from the broker); offline, the snapshot shows what the device holds.
  const first = await agent.getSnapshot({});
  if (first.ok && first.value.status.loggedIn) await agent.listGrants({});
  const snapshot = await agent.getSnapshot({});
  if (!snapshot.ok) return failed(c, snapshot);
  print(c, snapshot.value, (shown) => formatStatus(shown));
  return EXIT.ok;
}

async function exportEnv(c: Ctx, agent: AgentHandlers, role: string, shell: Shell) {
  const before = await agent.getSnapshot({});
  const heldBefore =
    before.ok && before.value.grants.some((g) => g.role === role && g.credentialStored);
  const exported = await agent.exportGrant({ role, shell });
  if (!exported.ok) return failed(c, exported);
  if (!heldBefore) {
    const after = await agent.getSnapshot({});
    const grant = after.ok
      ? after.value.grants.find((g) => g.role === role && g.credentialStored)
      : undefined;
    c.io.err(
      `hourglass: fetched your active ${role} grant${grant ? ` ${grant.id}` : ''} onto this device (until ${localTime(exported.value.expiresAt)})\n`,
    );
  }
  if (process.stdout.isTTY === true)
    c.io.err(
      withProfileHints(
        `hourglass: this prints secrets; load them with ${exportCommand(role, 'default', lineShell(shell))}\n`,
        c.io.env,
      ),
    );
  // The only place the CLI writes a secret, and only to stdout.
  c.io.out(exported.value.script);
  return EXIT.ok;
}

async function logout(
  c: Ctx,
  agent: AgentHandlers,
  endGrants: boolean,
  openBrowser: boolean,
): Promise<number> {
  // The agent opens the browser with the ID token as id_token_hint; the URL printed has none.
  const done = await agent.logout({ endGrants, openBrowser });
  if (!done.ok) return failed(c, done);
  print(
    c,
    done.value,
    ({ wiped, grantsEnded, endSessionUrl, idpRevocation }) =>
      [
        `Signed out; wiped ${wiped} grant credential(s)${endGrants ? `, ended ${grantsEnded} grant(s)` : ''}.`,
        ...revocationLines(idpRevocation),
        ...(endSessionUrl
          ? [
              openBrowser
                ? `Opening your browser to sign out of the identity provider too. If it does not open, visit:\n  ${endSessionUrl}`
                : `To sign out of the identity provider in your browser too, open:\n  ${endSessionUrl}`,
            ]
          : []),
      ].join('\n') + '\n',
  );
  return EXIT.ok;
}

/** What the IdP did with the refresh token, said as it is. */
function revocationLines(revocation: IdpRevocation | undefined): string[] {
  switch (revocation) {
    case 'revoked':
      return ['The identity provider revoked this sign-in (its refresh token).'];
    case 'failed':
      return [
        'Could NOT revoke the sign-in at the identity provider (unreachable); its refresh token is deleted from this device and lapses at the IdP on its own.',
      ];
    case 'not_offered':
      return [
        'The identity provider offers no token revocation; its refresh token is deleted from this device.',
      ];
    case 'no_session':
    case undefined:
      return [];
    default:
      return assertNever(revocation);
  }
}

/** Registers every command on `program`; each calls `finish` with its exit code. */
export function registerCommands(program: Command, io: CliIo, finish: Finish): void {
  const ctx = (): Ctx => ({ io, json: program.opts<{ json?: boolean }>().json === true });
  const run = (body: (c: Ctx, agent: AgentHandlers) => Promise<number>) =>
    withAgent(ctx(), (agent) => body(ctx(), agent));
  program
    .command('login')
    .description('sign in with your identity provider (system browser)')
    .option('--no-browser', 'print the sign-in URL instead of opening a browser')
    .option('--device', 'sign in with a code on another device (no browser on this box)')
    .option('--yes', 'already signed in: sign in again without asking')
    .action(async (opts: LoginOptions) => finish(await run((c, a) => runLogin(c, a, opts))));
  program
    .command('roles')
    .description('list the roles you may request, with their policy')
    .action(async () =>
      finish(
        await run(async (c, agent) => {
          const roles = await agent.listRoles({});
          if (!roles.ok) return failed(c, roles);
          print(c, roles.value, (shown) => formatRoles(shown.roles));
          return EXIT.ok;
        }),
      ),
    );
  program
    .command('request <role>')
    .description('request temporary access to a role')
    .requiredOption('--for <duration>', 'how long, e.g. 90s, 15m, 1h', parseForFlag)
    .option(
      '--reason <text>',
      'why you need it (recorded in the audit log; required when the role says so, see `hourglass roles`)',
    )
    .option('--ticket <id>', 'ticket or incident id')
    .option('--wait', 'if it needs approval, wait (one live line) until it is decided')
    .action(async (role: string, opts: RequestOptions) =>
      finish(await run((c, agent) => runRequest(c, agent, role, opts))),
    );
  program
    .command('status')
    .description('who is signed in; active, pending (with approvers) and recently ended grants')
    .action(async () => finish(await run(status)));
  program
    .command('history')
    .description('your grants: requested vs used time, approvals, wipe receipts')
    .action(async () =>
      finish(
        await run(async (c, agent) => {
          const grants = await ownGrants(agent);
          if (!grants.ok) return failed(c, grants);
          print(c, { grants: grants.value }, (shown) =>
            formatHistory(shown.grants, new Date().toISOString()),
          );
          return EXIT.ok;
        }),
      ),
    );
  registerGrantCommands(program, ctx, finish);
  registerCredentialCommands(program, ctx, finish);
  program
    .command('env <role>')
    .description(
      'print export lines for an active grant: eval "$(hourglass env <role>)"; fish: hourglass env --shell fish <role> | source',
    )
    .option(
      '--shell <shell>',
      'bash, zsh, fish, pwsh, nu, cmd, dotenv (quoted: dotenv libraries, compose), env-file (KEY=value: docker --env-file) or json (default: from $SHELL)',
      parseShellFlag,
    )
    .action(async (role: string, opts: { shell?: Shell }) => {
      // `--json env` is `env --shell json`: the variables as one JSON object.
      const shell = opts.shell ?? (ctx().json ? 'json' : defaultShell(io.env));
      const code = await run((c, agent) => exportEnv(c, agent, role, shell));
      // Under eval "$(hourglass env …)" a failure must not evaluate to nothing: fail visibly.
      // (Under --json the failure was already printed as a JSON error object.)
      if (code !== EXIT.ok && !ctx().json)
        io.out(failureScript(shell, `no ${role} credentials were exported`));
      finish(code);
    });
  program
    .command('logout')
    .description('sign out: wipe every keychain item of this profile and end the IdP session')
    .option('--end-grants', 'also end (revoke) your active grants first')
    .option('--no-browser', "print the identity provider's sign-out URL instead of opening it")
    .action(async (opts: { endGrants?: boolean; browser: boolean }) =>
      finish(await run((c, agent) => logout(c, agent, opts.endGrants === true, opts.browser))),
    );
  program
    .command('setup <broker-url>')
    .description(
      "configure this profile from your company's broker (what it trusts, at /.well-known/hourglass)",
    )
    .option('--issuer <name>', 'the identity provider to use when the broker trusts several')
    .option('--client-id <id>', 'the app client id, when the broker publishes none')
    .option('--force', "replace a profile set up for another broker, or the demo's")
    .action(async (url: string, opts: SetupOptions) => finish(await runSetup(ctx(), url, opts)));
  program
    .command('console')
    .description(
      'print and open a fresh console URL (each link works once; run it again for another tab or browser)',
    )
    .option('--no-browser', 'print the URL without opening it')
    .action(async (opts: { browser: boolean }) =>
      finish(await run((c, agent) => runConsole(c, agent, opts.browser))),
    );
  program
    .command('doctor')
    .description(
      'check keychain, agent, identity provider, broker, clock and shell; prints the fix for each problem (exit 5 when one is broken, 2 when the config is)',
    )
    .action(async () => finish(await runDoctor(ctx())));
  program
    .command('agent')
    .description('run the headless agent in the foreground (--stop: stop the running one)')
    .option('--stop', 'stop the headless agent of this profile instead')
    .option('--all-profiles', 'with --stop: of every profile')
    .action(async (opts: { stop?: boolean; allProfiles?: boolean }) =>
      finish(
        opts.stop
          ? await stopAgents(io.env, opts.allProfiles === true, io.out, io.err)
          : await io.runAgent(),
      ),
    );
}
