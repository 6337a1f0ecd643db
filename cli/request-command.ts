/** `hourglass request <role> … [--wait]`: ask for a grant; optionally wait, live, for the decision. */
import type { AgentHandlers, CreateRequestBody, LocalGrant } from '../protocol/index.ts';
import type { Failure } from '../protocol/index.ts';
import { assertNever, displayJson, displaySafe } from '../protocol/index.ts';
import { closestNames } from './did-you-mean.ts';
import type { Ctx } from './command-support.ts';
import { failed, print, withProfileHints } from './command-support.ts';
import { EXIT } from './exit-codes.ts';
import { ownGrants } from './grant-ref.ts';
import { formatRequested } from './format.ts';
import { hintShell } from './flags.ts';
import { formatAlreadyActive, formatDecided, formatWaitLine } from './format-lifecycle.ts';

/** An unknown role's failure, with the closest role names the caller may request. */
async function withSuggestions(
  agent: AgentHandlers,
  role: string,
  failure: { ok: false; error: Failure },
): Promise<{ ok: false; error: Failure }> {
  const roles = await agent.listRoles({});
  if (!roles.ok) return failure;
  const close = closestNames(
    role,
    roles.value.roles.map((r) => r.name),
  );
  if (close.length === 0) return failure;
  const list = close.map((name) => `\`${name}\``).join(', ');
  return {
    ok: false,
    error: { ...failure.error, message: `${failure.error.message}. Did you mean ${list}?` },
  };
}

/** Options of `request`. */
export interface RequestOptions {
  for: number;
  /** Optional: the broker says whether the role requires one. */
  reason?: string;
  ticket?: string;
  wait?: boolean;
}

/** How long an active grant may wait for its credential to land before `--wait` returns anyway. */
const CREDENTIAL_GRACE_MS = 10_000;

/** The exit code for how a waited-for request ended. */
export function waitExitCode(grant: LocalGrant | null): number {
  if (grant === null) return EXIT.unavailable;
  switch (grant.status) {
    case 'active':
      return EXIT.ok;
    case 'denied':
      return EXIT.requestDenied;
    case 'pending':
    case 'expired':
    case 'cancelled':
    case 'revoked':
      return EXIT.requestLapsed;
    default:
      return assertNever(grant.status);
  }
}

/** Follows the agent's pushes until `grantId` is decided; draws one live line meanwhile. */
export function waitForDecision(ctx: Ctx, first: LocalGrant): Promise<LocalGrant | null> {
  return new Promise((resolve) => {
    let latest = first;
    let offsetMs = 0;
    let lastLine = '';
    let grace: NodeJS.Timeout | undefined;
    const nowIso = () => new Date(Date.now() + offsetMs).toISOString();
    const draw = () => {
      if (ctx.json || latest.status !== 'pending') return;
      const line = formatWaitLine(displaySafe(latest), nowIso());
      if (ctx.io.interactive) ctx.io.err(`\r\x1b[K${line}`);
      else if (line.replace(/may wait .*$/, '') !== lastLine.replace(/may wait .*$/, ''))
        ctx.io.err(`${line}\n`);
      lastLine = line;
    };
    const ticker = ctx.io.interactive ? setInterval(draw, 1000) : undefined;
    const finish = (grant: LocalGrant | null) => {
      clearInterval(ticker);
      clearTimeout(grace);
      watcher.close();
      if (ctx.io.interactive && !ctx.json) ctx.io.err('\r\x1b[K');
      resolve(grant);
    };
    const watcher = ctx.io.watch((push) => {
      if (push.type !== 'snapshot') return;
      offsetMs = Date.parse(push.snapshot.now) - Date.now();
      const grant = push.snapshot.grants.find((g) => g.id === first.id);
      if (!grant) return;
      latest = grant;
      if (grant.status === 'pending') return draw();
      // Approved: wait for the credential to land in the keychain, so `env` works at once.
      if (grant.status === 'active' && !grant.credentialStored) {
        grace ??= setTimeout(() => finish(latest), CREDENTIAL_GRACE_MS);
        return;
      }
      finish(grant);
    });
    draw();
    void watcher.ended.then(() => finish(latest.status === 'pending' ? null : latest));
  });
}

async function alreadyActive(ctx: Ctx, agent: AgentHandlers, role: string, grantId: string) {
  const grants = await ownGrants(agent);
  const held = grants.ok ? grants.value.find((g) => g.id === grantId) : undefined;
  const now = new Date().toISOString();
  if (ctx.json) {
    const error = { code: 'already_active', message: `You already hold ${role}`, grantId };
    ctx.io.out(`${displayJson({ error, grant: held ?? null })}\n`);
  } else
    ctx.io.err(
      withProfileHints(formatAlreadyActive(role, grantId, displaySafe(held), now), ctx.io.env),
    );
  return EXIT.state;
}

/** Runs `request`. */
export async function runRequest(
  ctx: Ctx,
  agent: AgentHandlers,
  role: string,
  opts: RequestOptions,
): Promise<number> {
  const input: CreateRequestBody = {
    role,
    durationSeconds: opts.for,
    ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
    ...(opts.ticket ? { ticket: opts.ticket } : {}),
  };
  const asked = await agent.requestGrant(input);
  if (!asked.ok) {
    const { code, grantId } = asked.error;
    if (code === 'already_active' && grantId) return alreadyActive(ctx, agent, role, grantId);
    if (code === 'not_found') return failed(ctx, await withSuggestions(agent, role, asked));
    return failed(ctx, asked);
  }
  const { grant } = asked.value;
  if (grant.status !== 'pending' || !opts.wait) {
    print(ctx, { grant }, (shown) =>
      formatRequested(shown.grant, new Date().toISOString(), hintShell(ctx.io.env)),
    );
    return EXIT.ok;
  }
  const decided = await waitForDecision(ctx, grant);
  if (decided === null) {
    return failed(ctx, {
      ok: false,
      error: {
        code: 'unavailable',
        message: 'The agent went away while waiting; run `hourglass status`',
      },
    });
  }
  const now = new Date().toISOString();
  print(ctx, { grant: decided }, ({ grant: shown }) =>
    shown.status === 'active'
      ? formatRequested(shown, now, hintShell(ctx.io.env))
      : formatDecided(shown, now),
  );
  return waitExitCode(decided);
}
