/**
 * `hourglass console`: asks the running agent (over its 0600 socket) for a fresh console URL, a
 * new single-use bootstrap token in the fragment, then prints it and opens it in the browser.
 * Each run mints a new link, so a second tab or another browser is never a dead end.
 */
import { openBrowser } from '../agent/login/open-browser.ts';
import type { AgentHandlers } from '../protocol/index.ts';
import type { Ctx } from './command-support.ts';
import { failed, print } from './command-support.ts';
import { EXIT } from './exit-codes.ts';

/** Runs `hourglass console`; `browser` false: print only (`--no-browser`). */
export async function runConsole(
  ctx: Ctx,
  agent: AgentHandlers,
  browser: boolean,
): Promise<number> {
  const minted = await agent.newConsoleUrl({});
  if (!minted.ok) return failed(ctx, minted);
  // Re-serialized: control characters in an agent's answer are percent-encoded, never printed raw.
  const url = new URL(minted.value.url).href;
  const opened = browser && !ctx.json ? await openBrowser(url, ctx.io.env) : false;
  print(
    ctx,
    { url },
    (shown) =>
      (opened
        ? `Opening the console in your browser. If it does not open, visit (the link works once):\n  ${shown.url}`
        : `Open the console (the link works once; \`hourglass console\` prints a new one):\n  ${shown.url}`) +
      '\n',
  );
  return EXIT.ok;
}
