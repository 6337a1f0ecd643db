/**
 * `window.hourglass` for the local console: one POST per method with the session header, every
 * answer parsed with the contract, and the agent's pushes read from `GET /api/events` with a
 * streaming fetch (EventSource cannot send a header).
 */
import {
  agentContract,
  agentPushSchema,
  rendererMethods,
  type RendererApi,
  type RendererMethod,
} from '../protocol/agent-api.ts';
import {
  CONSOLE_EVENTS_PATH,
  CONSOLE_PUSH_EVENT,
  CONSOLE_SESSION_HEADER,
} from '../protocol/console-session.ts';
import { fail, resultSchema, type Result } from '../protocol/result.ts';
import {
  browserPage,
  openConsoleSession,
  type FetchPort,
  type PagePort,
} from './console-session.ts';
import type { HourglassHost, PushListener } from './host-api.ts';
import { takeFrames } from './sse-frames.logic.ts';
import { initialLink, linkAfter, type AgentLink, type StreamEvent } from './console-link.logic.ts';

export type { FetchPort } from './console-session.ts';

const noSession =
  'This console tab has no session. Run `hourglass console` for a fresh URL (each link works once).';

async function call(
  fetchPort: FetchPort,
  session: Promise<string | null>,
  method: RendererMethod,
  input: unknown,
): Promise<Result<unknown>> {
  const token = await session;
  if (token === null) return fail('unauthenticated', noSession);
  let response: Response;
  try {
    response = await fetchPort(`/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CONSOLE_SESSION_HEADER]: token },
      body: JSON.stringify(input ?? {}),
      credentials: 'omit',
    });
  } catch {
    return fail(
      'unavailable',
      'The local agent is not answering. Check that `hourglass agent` is still running.',
    );
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return fail('internal', `The local agent answered ${response.status} without a readable body.`);
  }
  const parsed = resultSchema(agentContract[method].output).safeParse(body);
  if (!parsed.success) {
    return fail('internal', `The local agent's answer to ${method} did not match the contract.`);
  }
  return parsed.data;
}

/** Reads the event stream until it ends; answers the HTTP status (0 when unreachable). */
async function readStream(
  fetchPort: FetchPort,
  token: string,
  signal: AbortSignal,
  deliver: PushListener,
  opened: () => void,
): Promise<number> {
  const response = await fetchPort(CONSOLE_EVENTS_PATH, {
    headers: { [CONSOLE_SESSION_HEADER]: token },
    credentials: 'omit',
    signal,
  });
  if (!response.ok || !response.body) return response.status;
  opened();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return response.status;
    const taken = takeFrames(buffer + value);
    buffer = taken.rest;
    for (const frame of taken.frames) {
      if (frame.event !== CONSOLE_PUSH_EVENT) continue;
      try {
        const push = agentPushSchema.safeParse(JSON.parse(frame.data));
        if (push.success) deliver(push.data);
      } catch {
        // A frame that is not JSON is skipped, never half-applied.
      }
    }
  }
}

/** Timing of the event stream's reconnects; tests use a small base delay. */
export interface BridgeTiming {
  /** First reconnect delay (jittered, doubled each failure up to 10 s). */
  retryBaseMs: number;
}

/**
 * Keeps one stream open while anyone listens; reconnects with jittered backoff, and reports the
 * link: disconnected once reconnects keep failing or the session is refused.
 */
function pushHub(fetchPort: FetchPort, session: Promise<string | null>, timing: BridgeTiming) {
  const listeners = new Set<PushListener>();
  const linkListeners = new Set<(link: AgentLink) => void>();
  let link = initialLink;
  const report = (event: StreamEvent) => {
    const next = linkAfter(link, event);
    const changed = next.link !== link.link;
    link = next;
    if (changed) linkListeners.forEach((l) => l(next.link));
  };
  let controller: AbortController | null = null;
  const deliver: PushListener = (push) => listeners.forEach((l) => l(push));
  const run = async (signal: AbortSignal) => {
    const token = await session;
    let delayMs = timing.retryBaseMs;
    while (token !== null && !signal.aborted) {
      const status = await readStream(fetchPort, token, signal, deliver, () => {
        delayMs = timing.retryBaseMs;
        report('opened');
      }).catch(() => 0);
      if (signal.aborted) return;
      // 401: the session expired or its console is gone; retrying cannot fix that.
      if (status === 401) return report('refused');
      report('failed');
      await new Promise((r) => setTimeout(r, delayMs * (0.5 + Math.random())));
      delayMs = Math.min(delayMs * 2, 10_000);
    }
  };
  const onPush = (listener: PushListener) => {
    listeners.add(listener);
    if (!controller) {
      controller = new AbortController();
      void run(controller.signal);
    }
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) {
        controller?.abort();
        controller = null;
      }
    };
  };
  const onLink = (listener: (link: AgentLink) => void) => {
    linkListeners.add(listener);
    if (link.link !== 'live') listener(link.link);
    return () => void linkListeners.delete(listener);
  };
  return { onPush, onLink };
}

/** Builds the host API over HTTP to the console server that served this page. */
export function createConsoleBridge(
  fetchPort: FetchPort = (i, init) => fetch(i, init),
  page: PagePort = browserPage(),
  timing: BridgeTiming = { retryBaseMs: 500 },
): HourglassHost {
  const session = openConsoleSession(fetchPort, page);
  const api: Partial<Record<RendererMethod, (input: unknown) => Promise<Result<unknown>>>> = {};
  for (const method of rendererMethods)
    api[method] = (input) => call(fetchPort, session, method, input);
  return { ...(api as RendererApi), ...pushHub(fetchPort, session, timing) };
}

/** Installs the console bridge as `window.hourglass` unless a host (Electron preload) already did. */
export function installConsoleBridge(target: { hourglass?: HourglassHost }): HourglassHost {
  target.hourglass ??= createConsoleBridge();
  return target.hourglass;
}
