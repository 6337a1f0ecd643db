/**
 * GET /v1/events: Server-Sent Events for one caller. Event ids are the durable event sequence:
 * `Last-Event-ID` (or `?lastEventId=`) replays what came after, then the stream goes live.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { brokerSseEvents, type BrokerEvent } from '../../../protocol/broker-api.ts';
import type { Caller } from '../../auth/token-verifier.ts';
import { actorKey } from '../../lifecycle/grant-record.ts';
import { inAnyGroup } from '../../policy/decide.ts';
import type { StoredEvent } from '../../store/grant-repository.ts';
import type { BrokerDeps } from '../broker-deps.ts';
import type { StreamHandler } from '../contract-route.ts';
import { BrokerHttpError, parseOrThrow } from '../http-error.ts';

const PAGE = 200;
const lastEventIdSchema = z.string().regex(/^[0-9]{1,15}$/, 'an event id is a whole number');

/** The event as `caller` receives it, or undefined when it is not theirs to see. */
export function eventFor(caller: Caller, event: StoredEvent): BrokerEvent | undefined {
  const own = event.owner === actorKey(caller);
  const base = { id: String(event.seq), at: event.at, change: event.change, grant: event.grant };
  if (event.audience.kind === 'owner') return own ? { ...base, audience: 'owner' } : undefined;
  if (own || !inAnyGroup(caller.groups, event.audience.groups)) return undefined;
  return { ...base, audience: 'approver' };
}

function resumeFrom(request: FastifyRequest): number | undefined {
  const header = request.headers['last-event-id'];
  const query = (request.query as Record<string, unknown> | undefined)?.lastEventId;
  const raw = typeof header === 'string' ? header : query;
  if (raw === undefined) return undefined;
  return Number(parseOrThrow(lastEventIdSchema, raw, 'Last-Event-ID'));
}

/** Open streams, so the app can end them when it closes; `closing` refuses new ones. */
export interface OpenStreams {
  ends: Set<() => void>;
  closing: boolean;
}

/** Handler of `streamEvents`. */
export function eventsRoute(deps: BrokerDeps, open: OpenStreams): StreamHandler {
  return async (request: FastifyRequest, reply: FastifyReply, caller: Caller) => {
    // A client reconnecting on a kept-alive socket while the app closes would open a stream the
    // server then waits on forever: refuse it, so the socket goes idle and is closed.
    if (open.closing) {
      throw new BrokerHttpError('unavailable', 'the broker is shutting down; reconnect shortly');
    }
    const resume = resumeFrom(request);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // Headers now: a HEAD request (whose body writes Node drops) is answered too, not left open.
    raw.flushHeaders();
    let closed = false;
    let cursor = 0;
    let pumping: Promise<void> = Promise.resolve();
    const write = (text: string) => {
      if (!closed) raw.write(text);
    };
    const pumpOnce = async () => {
      for (;;) {
        if (closed) return;
        const events = await deps.repo.eventsAfter(cursor, PAGE);
        for (const event of events) {
          cursor = event.seq;
          const visible = eventFor(caller, event);
          if (visible)
            write(
              `id: ${visible.id}\nevent: ${brokerSseEvents.grant}\ndata: ${JSON.stringify(visible)}\n\n`,
            );
        }
        if (events.length < PAGE) return;
      }
    };
    const pump = () => {
      pumping = pumping.then(pumpOnce).catch((error: unknown) => {
        deps.onInternalError(error);
        end();
      });
    };
    const unsubscribe = deps.bus.subscribe(pump);
    const heartbeat = setInterval(() => write(':heartbeat\n\n'), deps.heartbeatMs);
    heartbeat.unref();
    function end(): void {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      open.ends.delete(end);
      raw.end();
    }
    open.ends.add(end);
    raw.on('close', end);
    try {
      cursor = resume ?? (await deps.repo.lastEventSeq());
    } catch (error) {
      deps.onInternalError(error);
      end();
      return;
    }
    write(
      `retry: 2000\nevent: ${brokerSseEvents.ready}\ndata: ${JSON.stringify({ now: deps.clock.now().toISOString() })}\n\n`,
    );
    pump();
    await pumping;
  };
}
