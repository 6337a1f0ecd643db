/**
 * The broker's event stream (`GET /v1/events`, Server-Sent Events) for one signed-in profile:
 * bearer token fresh on every connection, `Last-Event-ID` resume so no event is lost, jittered
 * exponential backoff between attempts, an idle timeout in case heartbeats stop.
 */
import type { BrokerEvent, Result } from '../protocol/index.ts';
import { brokerContract, brokerEventSchema, brokerSseEvents } from '../protocol/index.ts';
import { createSseParser } from './sse-parse.ts';
import type { SseMessage } from './sse-parse.ts';

/** The stream's view of its connection. */
export type StreamState = 'connecting' | 'online' | 'offline';

/** What the stream needs. */
export interface BrokerEventStreamDeps {
  brokerUrl: string;
  /** Called before every connection: a fresh access token each time. */
  accessToken: () => Promise<Result<string>>;
  /** Each new event, in order; the next is read once this settles. */
  onEvent: (event: BrokerEvent) => Promise<void>;
  onState: (state: StreamState, message: string | null) => void;
  /** Called once connected (after `ready`), e.g. to flush queued wipe receipts and resync. */
  onConnected?: () => Promise<void>;
  /** Resume point from an earlier stream of this profile. */
  lastEventId?: string | null;
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** No byte (event or heartbeat) for this long: the connection is presumed dead. */
  idleTimeoutMs?: number;
}

/** A running stream. */
export interface BrokerEventStream {
  /** Id of the last event handled (what a reconnect sends as `Last-Event-ID`). */
  lastEventId(): string | null;
  /** Drops the current connection and reconnects at once (recheck, tests). */
  reconnect(): void;
  stop(): void;
}

/** Delay before attempt `attempt` (0-based): exponential, capped, with full-range jitter in [½, 1]. */
export function backoffDelayMs(attempt: number, base: number, max: number, random: number): number {
  const capped = Math.min(max, base * 2 ** Math.min(attempt, 20));
  return Math.round(capped * (0.5 + random / 2));
}

const isNewer = (id: string, last: string | null): boolean =>
  last === null || BigInt(id) > BigInt(last);

/** Starts reading the event stream until `stop()`. */
export function startBrokerEventStream(deps: BrokerEventStreamDeps): BrokerEventStream {
  let last = deps.lastEventId ?? null;
  let stopped = false;
  let current: AbortController | null = null;
  let wake: (() => void) | null = null;
  const random = deps.random ?? Math.random;

  async function handle(message: SseMessage, markOnline: () => Promise<void>): Promise<void> {
    if (message.event === brokerSseEvents.ready) return markOnline();
    if (message.event !== brokerSseEvents.grant) return;
    let json: unknown;
    try {
      json = JSON.parse(message.data);
    } catch {
      return;
    }
    const parsed = brokerEventSchema.safeParse(json);
    if (!parsed.success || !isNewer(parsed.data.id, last)) return;
    await deps.onEvent(parsed.data);
    last = parsed.data.id;
  }

  /** One connection; answers whether it got as far as `ready` (resets the backoff). */
  async function connectOnce(): Promise<{ reached: boolean; message: string }> {
    const token = await deps.accessToken();
    if (!token.ok) return { reached: false, message: token.error.message };
    const abort = new AbortController();
    current = abort;
    let idle: NodeJS.Timeout | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => abort.abort(), deps.idleTimeoutMs ?? 60_000);
      idle.unref();
    };
    let reached = false;
    try {
      touch();
      const response = await fetch(`${deps.brokerUrl}${brokerContract.streamEvents.path}`, {
        headers: {
          authorization: `Bearer ${token.value}`,
          accept: 'text/event-stream',
          ...(last === null ? {} : { 'last-event-id': last }),
        },
        signal: abort.signal,
      });
      if (!response.ok || !response.body) {
        await response.body?.cancel().catch(() => undefined);
        return {
          reached,
          message: `The broker refused the event stream (HTTP ${response.status})`,
        };
      }
      const parser = createSseParser();
      const decoder = new TextDecoder();
      const markOnline = async () => {
        reached = true;
        deps.onState('online', null);
        await deps.onConnected?.();
      };
      const reader = response.body.getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        touch();
        for (const message of parser.push(decoder.decode(read.value, { stream: true })))
          await handle(message, markOnline);
      }
      return { reached, message: 'The broker closed the event stream; reconnecting' };
    } catch {
      return {
        reached,
        message: `The broker at ${deps.brokerUrl} is unreachable; reconnecting`,
      };
    } finally {
      clearTimeout(idle);
      current = null;
    }
  }

  async function run(): Promise<void> {
    let attempt = 0;
    while (!stopped) {
      deps.onState('connecting', null);
      const outcome = await connectOnce();
      if (stopped) return;
      attempt = outcome.reached ? 0 : attempt + 1;
      deps.onState('offline', outcome.message);
      const delay = backoffDelayMs(
        attempt,
        deps.baseDelayMs ?? 500,
        deps.maxDelayMs ?? 30_000,
        random(),
      );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        timer.unref();
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  }

  void run();
  return {
    lastEventId: () => last,
    reconnect: () => {
      current?.abort();
      wake?.();
    },
    stop: () => {
      stopped = true;
      current?.abort();
      wake?.();
    },
  };
}
