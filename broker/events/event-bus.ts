/** The in-process event bus: tells open event streams that events up to a sequence were committed. */

/** A listener gets the newest committed event sequence number. */
export type EventListener = (lastSeq: number) => void;

/** Publish/subscribe over committed event sequence numbers. */
export interface EventBus {
  publish(lastSeq: number): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void;
  /** Number of live subscriptions (streams), for health and leak tests. */
  size(): number;
}

/** Creates an in-process bus. Listeners are called synchronously; they must not throw. */
export function createEventBus(): EventBus {
  const listeners = new Set<EventListener>();
  return {
    publish(lastSeq) {
      for (const listener of [...listeners]) listener(lastSeq);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    size: () => listeners.size,
  };
}
