/** Lifecycle commands: extend, revoke ("I'm done"), cancel, approvals, approve, deny. */
import type { Command } from 'commander';
import type { AgentHandlers, LocalGrant } from '../protocol/index.ts';
import type { Ctx } from './command-support.ts';
import { failed, print, withAgent } from './command-support.ts';
import { EXIT } from './exit-codes.ts';
import { parseForFlag } from './flags.ts';
import { formatApprovals, formatEnded, formatExtended } from './format-lifecycle.ts';
import { resolveGrantRef } from './grant-ref.ts';

type Finish = (code: number) => void;

/** The default extension: as long as the grant was granted, within the role's per-extension max. */
export function defaultExtensionSeconds(grant: LocalGrant | null): number {
  if (!grant) return 15 * 60;
  return Math.max(
    1,
    Math.min(grant.grantedSeconds, grant.extension.maxEachSeconds || grant.grantedSeconds),
  );
}

async function extend(
  ctx: Ctx,
  agent: AgentHandlers,
  ref: string,
  seconds: number | undefined,
  reason: string | undefined,
) {
  const target = await resolveGrantRef(agent, ref, ['active']);
  if (!target.ok) return failed(ctx, target);
  const durationSeconds = seconds ?? defaultExtensionSeconds(target.value.grant);
  const grantId = target.value.grantId;
  const done = await agent.extendGrant(
    reason === undefined ? { grantId, durationSeconds } : { grantId, durationSeconds, reason },
  );
  if (!done.ok) return failed(ctx, done);
  print(ctx, done.value, (shown) => formatExtended(shown.grant, new Date().toISOString()));
  return EXIT.ok;
}

async function revoke(ctx: Ctx, agent: AgentHandlers, ref: string, reason: string | undefined) {
  const target = await resolveGrantRef(agent, ref, ['active']);
  if (!target.ok) return failed(ctx, target);
  const grantId = target.value.grantId;
  const done = await agent.revokeGrant(reason === undefined ? { grantId } : { grantId, reason });
  if (!done.ok) return failed(ctx, done);
  print(ctx, done.value, (shown) => formatEnded('revoked', shown.grant));
  return EXIT.ok;
}

/** Registers the lifecycle commands. */
export function registerGrantCommands(program: Command, ctx: () => Ctx, finish: Finish): void {
  const run = (body: (c: Ctx, agent: AgentHandlers) => Promise<number>) =>
    withAgent(ctx(), (agent) => body(ctx(), agent));
  program
    .command('extend <role|grant>')
    // Grant ids are url-safe base64 and may start with '-': not an option here.
    .allowUnknownOption()
    .description(
      "set an active grant's deadline to a time from now (within the role's extension budget, charged with how far the deadline moves)",
    )
    .option(
      '--for <duration>',
      'new deadline: this long from now, e.g. 15m (default: the granted duration)',
      parseForFlag,
    )
    .option('--reason <text>', 'why (recorded in the audit log, shown to approvers)')
    .action(async (ref: string, opts: { for?: number; reason?: string }) =>
      finish(await run((c, agent) => extend(c, agent, ref, opts.for, opts.reason))),
    );
  program
    .command('revoke <role|grant>')
    // Grant ids are url-safe base64 and may start with '-': not an option here.
    .allowUnknownOption()
    .description('end a grant now ("I\'m done"), or, as an approver, someone else\'s grant')
    .option('--reason <text>', 'why (recorded in the audit log, shown to the owner)')
    .action(async (ref: string, opts: { reason?: string }) =>
      finish(await run((c, agent) => revoke(c, agent, ref, opts.reason))),
    );
  program
    .command('cancel <role|grant>')
    // Grant ids are url-safe base64 and may start with '-': not an option here.
    .allowUnknownOption()
    .description('withdraw a pending request')
    .action(async (ref: string) =>
      finish(
        await run(async (c, agent) => {
          const target = await resolveGrantRef(agent, ref, ['pending']);
          if (!target.ok) return failed(c, target);
          const done = await agent.cancelGrant({ grantId: target.value.grantId });
          if (!done.ok) return failed(c, done);
          print(c, done.value, (shown) => formatEnded('cancelled', shown.grant));
          return EXIT.ok;
        }),
      ),
    );
  program
    .command('approvals')
    .description('requests waiting for your approval')
    .action(async () =>
      finish(
        await run(async (c, agent) => {
          const listed = await agent.listApprovals({});
          if (!listed.ok) return failed(c, listed);
          print(c, listed.value, (shown) => formatApprovals(shown.approvals, shown.now));
          return EXIT.ok;
        }),
      ),
    );
  program
    .command('approve <grant>')
    // Grant ids are url-safe base64 and may start with '-': not an option here.
    .allowUnknownOption()
    .description('approve a request (never your own)')
    .option('--comment <text>', 'a comment for the requester and the audit log')
    .action(async (grantId: string, opts: { comment?: string }) =>
      finish(
        await run(async (c, agent) => {
          const input =
            opts.comment === undefined ? { grantId } : { grantId, comment: opts.comment };
          const done = await agent.approveGrant(input);
          if (!done.ok) return failed(c, done);
          print(c, done.value, (shown) => formatEnded('approved', shown.grant));
          return EXIT.ok;
        }),
      ),
    );
  program
    .command('deny <grant>')
    // Grant ids are url-safe base64 and may start with '-': not an option here.
    .allowUnknownOption()
    .description('deny a request; the reason is shown to the requester')
    .requiredOption('--reason <text>', 'why (shown to the requester)')
    .action(async (grantId: string, opts: { reason: string }) =>
      finish(
        await run(async (c, agent) => {
          const done = await agent.denyGrant({ grantId, comment: opts.reason });
          if (!done.ok) return failed(c, done);
          print(c, done.value, (shown) => formatEnded('denied', shown.grant));
          return EXIT.ok;
        }),
      ),
    );
}
