/** What every command shares: its I/O, JSON or text output, and the one way failures are reported. */
import type { AgentHandlers, AgentPush, Failure, Result } from '../protocol/index.ts';
import type { AgentWatch } from '../agent/local-api.client.ts';
import { displayJson, displaySafe, displayText } from '../protocol/plain-text.ts';
import { exitCodeFor } from './exit-codes.ts';

/** Where a command writes, which environment it sees, and how it reaches the agent. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** The environment; `--profile` sets `HOURGLASS_PROFILE` in it before any command runs. */
  env: NodeJS.ProcessEnv;
  connect: () => Promise<Result<AgentHandlers>>;
  /** Subscribes to the agent's pushes (after `connect`). */
  watch: (onPush: (push: AgentPush) => void) => AgentWatch;
  /** Runs the headless agent in the foreground until a signal; answers the exit code. */
  runAgent: () => Promise<number>;
  /** Whether stderr is a terminal (live lines are redrawn in place only there). */
  interactive: boolean;
}

/** One command run: its I/O and whether `--json` was given. */
export interface Ctx {
  io: CliIo;
  json: boolean;
}

/**
 * Hints in `text` name commands as the user must type them: with `--profile <name>` when a
 * profile other than `default` is in use, so a copied hint acts on the same profile.
 */
export function withProfileHints(text: string, env: NodeJS.ProcessEnv): string {
  const profile = env.HOURGLASS_PROFILE;
  if (!profile || profile === 'default') return text;
  return text.replace(
    /(^|[\s`"(])hourglass (?!--profile)(?=[a-z])/g,
    `$1hourglass --profile ${profile} `,
  );
}

/** Reports a failure (text on stderr, or a JSON error on stdout) and answers its exit code. */
export function failed(ctx: Ctx, result: { ok: false; error: Failure }): number {
  if (ctx.json) ctx.io.out(`${displayJson({ error: result.error })}\n`);
  else
    ctx.io.err(withProfileHints(`hourglass: ${displayText(result.error.message)}\n`, ctx.io.env));
  return exitCodeFor(result.error.code);
}

/**
 * Prints `value` as JSON when `--json` was given, else `text(shown)`. `shown` is `value` with every
 * string made safe for a terminal (protocol/plain-text.ts): the text is built only from it, because
 * what the broker, an IdP or the agent sent may carry escape sequences (issue 18, finding 4). The
 * JSON is the same data with no raw control or bidi character.
 */
export function print<T>(ctx: Ctx, value: T, text: (shown: T) => string): void {
  ctx.io.out(
    ctx.json ? `${displayJson(value)}\n` : withProfileHints(text(displaySafe(value)), ctx.io.env),
  );
}

/** Runs `run` with a connected agent (started on demand). */
export async function withAgent(
  ctx: Ctx,
  run: (agent: AgentHandlers) => Promise<number>,
): Promise<number> {
  const agent = await ctx.io.connect();
  return agent.ok ? run(agent.value) : failed(ctx, agent);
}
