/**
 * Launch requests that can arrive before the app is ready: a deep link on the first command line,
 * `open-url` (macOS) or a second instance's argv. Queued until the app handles them.
 */

/** One launch request: a link to open, or just "show the window" (`null`). */
export type Launch = string | null;

/** A queue that holds launches until `handle` is set, then passes each straight on. */
export interface LaunchQueue {
  push(launch: Launch): void;
  handle(handler: (launch: Launch) => void): void;
}

/** Creates an empty queue. */
export function createLaunchQueue(): LaunchQueue {
  const waiting: Launch[] = [];
  let handler: ((launch: Launch) => void) | null = null;
  return {
    push(launch) {
      if (handler) handler(launch);
      else waiting.push(launch);
    },
    handle(next) {
      handler = next;
      for (const launch of waiting.splice(0)) next(launch);
    },
  };
}
