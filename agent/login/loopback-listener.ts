/**
 * The RFC 8252 loopback redirect listener: 127.0.0.1, ephemeral port, path `/callback`, closed after
 * the first callback carrying the expected state, or at the timeout.
 */
import { createServer } from 'node:http';
import type { Result } from '../../protocol/index.ts';
import { fail, ok } from '../../protocol/index.ts';

/** A callback with the expected state; `finish` answers the browser tab and closes the listener. */
export interface LoopbackCallback {
  url: URL;
  finish(outcome: { ok: boolean }): void;
}

/** A running listener. */
export interface LoopbackListener {
  redirectUri: string;
  callback: Promise<Result<LoopbackCallback>>;
  close(): void;
}

const PAGE_OK = 'Signed in to Hourglass. You can close this tab.';
const PAGE_FAIL = 'Hourglass sign-in failed. Return to Hourglass and try again.';

function page(text: string): string {
  return `<!doctype html><meta charset="utf-8"><title>Hourglass</title><p>${text}</p>\n`;
}

/** Starts a listener that accepts one callback whose `state` equals `expectedState`. */
export async function startLoopbackListener(opts: {
  expectedState: string;
  timeoutMs: number;
}): Promise<LoopbackListener> {
  let settle: (r: Result<LoopbackCallback>) => void = () => {};
  const callback = new Promise<Result<LoopbackCallback>>((resolve) => (settle = resolve));
  let done = false;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const headers = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };
    // A forged or stale state (login CSRF) is refused and the real callback is still awaited.
    if (
      done ||
      req.method !== 'GET' ||
      url.pathname !== '/callback' ||
      url.searchParams.get('state') !== opts.expectedState
    ) {
      res.writeHead(400, headers).end(page(PAGE_FAIL));
      return;
    }
    done = true;
    clearTimeout(timer);
    settle(
      ok({
        url: new URL(`${redirectUri}${url.search}`),
        finish: (outcome) => {
          res
            .writeHead(outcome.ok ? 200 : 400, headers)
            .end(page(outcome.ok ? PAGE_OK : PAGE_FAIL));
          server.close();
          server.closeAllConnections();
        },
      }),
    );
  });
  const stop = (message: string) => {
    done = true;
    clearTimeout(timer);
    server.close();
    server.closeAllConnections();
    settle(fail('login_failed', message));
  };
  const close = () => stop('The sign-in was cancelled; run `hourglass login` again');
  const timer = setTimeout(
    () =>
      stop(
        `No sign-in arrived within ${Math.round(opts.timeoutMs / 1000)}s; run \`hourglass login\` again`,
      ),
    opts.timeoutMs,
  );
  timer.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const redirectUri = `http://127.0.0.1:${port}/callback`;
  return { redirectUri, callback, close };
}
