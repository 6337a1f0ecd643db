/** Server-side expiry: sleeps until the next deadline, expires what is due, re-arms. */
import type { Clock } from '../ports.ts';
import { MAX_SLEEP_MS, type ExpiryRun } from './expire-grants.ts';

const RETRY_BASE_MS = 500;

/** A running expiry scheduler. */
export interface ExpiryScheduler {
  /** Expires whatever is due now and re-arms the timer (call after adding a grant). */
  rearm(): Promise<void>;
  stop(): void;
}

/** Starts the scheduler; the first run expires whatever became overdue while the broker was down. */
export async function startExpiryScheduler(
  expire: (now: Date) => Promise<ExpiryRun>,
  clock: Clock,
  onError: (error: unknown) => void,
): Promise<ExpiryScheduler> {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let failures = 0;

  const arm = (ms: number): void => {
    clearTimeout(timer);
    if (stopped) return;
    timer = setTimeout(() => void schedule(), ms);
    timer.unref();
  };
  const tick = async (): Promise<void> => {
    if (stopped) return;
    clearTimeout(timer);
    try {
      const plan = await expire(clock.now());
      failures = 0;
      // +5 ms so the timer fires after the deadline, not a hair before it. The plan caps the
      // sleep, so a clock jump or a missed re-arm is caught within a minute.
      if (plan.sleepMs !== null) arm(plan.sleepMs + 5);
    } catch (error) {
      // A failed run (database busy, disk full) must not stop server-side expiry: retry.
      failures += 1;
      arm(Math.min(RETRY_BASE_MS * 2 ** (failures - 1), MAX_SLEEP_MS));
      throw error;
    }
  };
  // Many commits in a row ask for a re-arm; one queued run serves them all.
  let queued = false;
  const schedule = (): Promise<void> => {
    if (queued) return running;
    queued = true;
    running = running
      .then(() => {
        queued = false;
        return tick();
      })
      .catch(onError);
    return running;
  };

  await tick();
  return {
    rearm: schedule,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
