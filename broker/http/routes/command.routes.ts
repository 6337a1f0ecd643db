/** Routes that run one lifecycle command on a grant: approve, deny, cancel, extend, revoke, wiped. */
import type { GrantCommand, UserActor } from '../../lifecycle/transition-types.ts';
import type { BrokerDeps } from '../broker-deps.ts';
import { failureToHttp, type ContractHandlers, type JsonMethod } from '../contract-route.ts';

type CommandMethod = Extract<
  JsonMethod,
  'approveGrant' | 'denyGrant' | 'cancelGrant' | 'extendGrant' | 'revokeGrant' | 'recordWipe'
>;

/** Handlers of the command routes. Each answers the grant after the command. */
export function commandRoutes(deps: BrokerDeps): Pick<ContractHandlers, CommandMethod> {
  const run = async (ctx: { params: { id: string }; actor: UserActor }, command: GrantCommand) => {
    const result = await deps.service.apply(ctx.params.id, command, ctx.actor);
    if (!result.ok) throw failureToHttp(result.error);
    return { now: result.at.toISOString(), grant: deps.service.view(result.grant, result.at) };
  };
  return {
    approveGrant: (ctx) => run(ctx, { kind: 'approve', comment: ctx.body.comment ?? null }),
    denyGrant: (ctx) => run(ctx, { kind: 'deny', comment: ctx.body.comment ?? null }),
    cancelGrant: (ctx) => run(ctx, { kind: 'cancel' }),
    extendGrant: (ctx) =>
      run(ctx, {
        kind: 'extend',
        durationSeconds: ctx.body.durationSeconds,
        reason: ctx.body.reason ?? null,
      }),
    revokeGrant: (ctx) => run(ctx, { kind: 'revoke', reason: ctx.body.reason ?? null }),
    recordWipe: (ctx) => run(ctx, { kind: 'recordWipe', receipt: ctx.body }),
  };
}
