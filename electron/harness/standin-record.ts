/** The stand-in's channel to the harness test: records sent over the child-process IPC channel. */
import type { Recorded, StandinMessage } from './standin-protocol.ts';

/** Sends one message to the test (no-op outside a forked child). */
export function send(message: StandinMessage): void {
  if (process.send) process.send(message);
}

/** Records one thing the app did. */
export function record(event: Recorded): void {
  send({ type: 'recorded', at: Date.now(), event });
}

/** An Electron-style event whose default can be prevented. */
export interface Cancellable {
  defaultPrevented: boolean;
  preventDefault(): void;
}

/** A fresh cancellable event. */
export function cancellable(): Cancellable {
  const event = {
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}
