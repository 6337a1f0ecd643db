/**
 * LISTEN/NOTIFY fan-out: every replica listens on the events channel, so an event committed on
 * replica B wakes the event streams on replica A. Reconnects with backoff when the connection drops.
 */
import pg from 'pg';
import { EVENTS_CHANNEL } from './store-dialect.ts';

/** A running listener. */
export interface EventListenerConnection {
  /** Resolves once the first LISTEN is in place. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** Listens at `url`; calls `onSeq` with each announced event sequence number. */
export function listenForEvents(
  url: string,
  onSeq: (seq: number) => void,
  onError: (error: unknown) => void,
): EventListenerConnection {
  let client: pg.Client | undefined;
  let closed = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url });
    next.on('notification', (message) => {
      const seq = Number(message.payload);
      if (message.channel === EVENTS_CHANNEL && Number.isSafeInteger(seq)) onSeq(seq);
    });
    next.on('error', (error) => retry(error));
    next.on('end', () => retry(new Error('the event listener connection ended')));
    client = next;
    await next.connect();
    await next.query(`LISTEN ${EVENTS_CHANNEL}`);
    failures = 0;
    markReady();
    // Whatever was committed while the listener was down is caught up by a wake-up now.
    onSeq(0);
  };
  function retry(error: unknown): void {
    if (closed || timer) return;
    onError(error);
    const old = client;
    client = undefined;
    void old?.end().catch(() => undefined);
    failures += 1;
    timer = setTimeout(
      () => {
        timer = undefined;
        connect().catch(retry);
      },
      Math.min(200 * 2 ** failures, 10_000),
    );
    timer.unref();
  }
  connect().catch(retry);
  return {
    ready,
    async close() {
      closed = true;
      clearTimeout(timer);
      await client?.end().catch(() => undefined);
    },
  };
}
