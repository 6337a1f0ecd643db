/**
 * `GET /api/events`: the agent's pushes (snapshots, notices) as Server-Sent Events. The page's
 * bridge reads it with a streaming fetch so the session travels as a header, never in the URL.
 */
import type { FastifyInstance } from 'fastify';
import { authenticatedRoute } from '../../http-gate/route-access.ts';
import { agentPushSchema, type AgentPush, type RendererApi } from '../../protocol/agent-api.ts';
import {
  CONSOLE_EVENTS_PATH,
  CONSOLE_PUSH_EVENT,
  CONSOLE_SESSION_HEADER,
} from '../../protocol/console-session.ts';
import { singleHeader } from './console-auth.ts';
import { securityHeaders } from './console-headers.ts';
import type { ConsoleSessions } from './console-sessions.ts';

/** Subscribes to the agent's pushes; answers the function that ends the subscription. */
export type PushSource = (listener: (push: AgentPush) => void) => () => void;

/** What the event stream needs. */
export interface EventStreamDeps {
  api: RendererApi;
  subscribe: PushSource | undefined;
  sessions: ConsoleSessions;
  heartbeatMs: number;
  /** Open streams, ended when the server closes. */
  open: Set<() => void>;
}

/** One SSE frame for a push, or null when the push does not match the contract (never sent). */
export function pushFrame(push: unknown): string | null {
  const parsed = agentPushSchema.safeParse(push);
  if (!parsed.success) return null;
  return `event: ${CONSOLE_PUSH_EVENT}\ndata: ${JSON.stringify(parsed.data)}\n\n`;
}

/** Registers the stream route; the access gate has already checked the session. */
export function registerEventStream(app: FastifyInstance, deps: EventStreamDeps): void {
  app.get(CONSOLE_EVENTS_PATH, { config: authenticatedRoute }, (req, reply) => {
    const session = singleHeader(req.headers[CONSOLE_SESSION_HEADER]);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...securityHeaders,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    // Headers now: a HEAD request (whose body writes Node drops) is answered too, not left open.
    res.flushHeaders();
    let ended = false;
    const send = (push: unknown) => {
      const frame = pushFrame(push);
      if (frame !== null && !ended) res.write(frame);
    };
    const unsubscribe = deps.subscribe?.(send) ?? (() => undefined);
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      unsubscribe();
      deps.open.delete(end);
      res.end();
    };
    // An expired session loses its stream at the next heartbeat, not only its next call.
    const heartbeat = setInterval(() => {
      if (!deps.sessions.isLive(session)) end();
      else res.write(':heartbeat\n\n');
    }, deps.heartbeatMs);
    deps.open.add(end);
    req.raw.on('close', end);
    res.write(':ready\n\n');
    // The current picture first; later pushes carry higher versions and replace it.
    void deps.api.getSnapshot({}).then(
      (answer) => answer.ok && send({ type: 'snapshot', snapshot: answer.value }),
      () => undefined,
    );
  });
}
