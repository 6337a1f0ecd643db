/**
 * `hourglass login`: browser (loopback), printed URL, or device code. Signed in already: says who
 * and asks before switching (`--yes` skips the question; without a terminal and without `--yes`
 * nothing changes). Ctrl-C while waiting says the sign-in was cancelled.
 */
import { createInterface } from 'node:readline/promises';
import type { AgentHandlers, Me } from '../protocol/index.ts';
import { displaySafe, displayText } from '../protocol/plain-text.ts';
import type { Ctx } from './command-support.ts';
import { failed, print, withProfileHints } from './command-support.ts';
import { EXIT } from './exit-codes.ts';

/** Flags of `hourglass login`. */
export interface LoginOptions {
  browser: boolean;
  device?: boolean;
  yes?: boolean;
}

const who = (user: Me) => {
  const u = displaySafe(user);
  return `${u.name ?? u.subject}${u.email ? ` <${u.email}>` : ''}`;
};

async function confirmSwitch(ctx: Ctx, current: Me): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(
      `Signed in as ${who(current)}. Sign in again (possibly as someone else)? [y/N] `,
    );
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Whether to go on with a sign-in while `current` is signed in. */
async function mayProceed(ctx: Ctx, current: Me, opts: LoginOptions): Promise<boolean> {
  if (opts.yes) return true;
  if (ctx.io.interactive && process.stdin.isTTY && !ctx.json) return confirmSwitch(ctx, current);
  ctx.io.err(
    withProfileHints(
      `hourglass: already signed in as ${who(current)}; to sign in again or as someone else, run \`hourglass login --yes\`\n`,
      ctx.io.env,
    ),
  );
  return false;
}

/**
 * Listens for Ctrl-C from now on; `until(work)` waits for `work` unless Ctrl-C came or comes first
 * (then answers null). Listening starts before the URL is printed: a Ctrl-C that follows the URL
 * at once (a script, a loaded machine) must not meet the default handler and kill the process.
 */
function listenForInterrupt(): { until<T>(work: Promise<T>): Promise<T | null> } {
  let onSignal = () => {};
  const interrupted = new Promise<null>((resolve) => {
    onSignal = () => resolve(null);
    process.once('SIGINT', onSignal);
  });
  return {
    until: (work) =>
      Promise.race([work, interrupted]).finally(() => process.removeListener('SIGINT', onSignal)),
  };
}

function announce(ctx: Ctx, link: string, code: string | undefined, opts: LoginOptions): void {
  // Both come from the IdP: shown safe for the terminal (issue 18, finding 4).
  const url = displayText(link);
  const userCode = code === undefined ? undefined : displayText(code);
  if (userCode !== undefined)
    ctx.io.err(
      `To sign in, open this URL on any device and confirm the code ${userCode}:\n  ${url}\n`,
    );
  else if (opts.browser)
    ctx.io.err(`Opening your browser to sign in. If it does not open, visit:\n  ${url}\n`);
  else ctx.io.err(`Open this URL in your browser to sign in:\n  ${url}\n`);
}

/** Runs `hourglass login`. */
export async function runLogin(
  ctx: Ctx,
  agent: AgentHandlers,
  opts: LoginOptions,
): Promise<number> {
  const snapshot = await agent.getSnapshot({});
  const current = snapshot.ok && snapshot.value.status.loggedIn ? snapshot.value.status.user : null;
  if (current && !(await mayProceed(ctx, current, opts))) {
    print(ctx, { user: current, switched: false }, () => '');
    return EXIT.ok;
  }
  const begun = await agent.beginLogin({
    openBrowser: opts.browser && !opts.device,
    device: opts.device === true,
  });
  if (!begun.ok) return failed(ctx, begun);
  const interrupt = listenForInterrupt();
  announce(ctx, begun.value.authorizationUrl, begun.value.userCode, opts);
  const done = await interrupt.until(agent.awaitLogin({ loginId: begun.value.loginId }));
  if (done === null) {
    ctx.io.err(
      withProfileHints(
        '\nhourglass: sign-in cancelled; run `hourglass login` to try again\n',
        ctx.io.env,
      ),
    );
    return EXIT.interrupted;
  }
  if (!done.ok) return failed(ctx, done);
  print(ctx, done.value, (shown) => `Signed in as ${who(shown.user)}\n`);
  return EXIT.ok;
}
