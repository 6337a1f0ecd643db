/** Time as a port, so deadline logic is tested with an injected clock. */

/** A source of the current instant in epoch milliseconds. */
export interface Clock {
  now(): number;
}

/** The real wall clock. */
export const systemClock: Clock = { now: () => Date.now() };
