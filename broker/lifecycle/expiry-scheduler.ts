/** Server-side expiry: sleeps until the next deadline, expires what is due, re-arms. */
import type { Clock } from '../ports.ts';
import { MAX_SLEEP_MS, type ExpiryRun } from './expire-grants.ts';

const RETRY_BASE_MS = 500;
// The timer fires this long after a deadline, not a hair before it.
const AFTER_DEADLINE_MS = 5;

/** A running expiry scheduler. */
export interface ExpiryScheduler {
  /**
   * A commit set this deadline (ISO; null: none): wakes for it if it comes before the timer. Runs
   * nothing now, so a burst of commits costs no store reads.
   */
  note(deadline: string | null): void;
  /** Stops the timer; resolves once a run in flight has finished (before the store closes). */
  stop(): Promise<void>;
}

/** Starts the scheduler; the first run expires whatever became overdue while the broker was down. */
export async function startExpiryScheduler(
  expire: (now: Date) => Promise<ExpiryRun>,
  clock: Clock,
  onError: (error: unknown) => void,
): Promise<ExpiryScheduler> {
  let timer: NodeJS.Timeout | undefined;
  let wakeAt = Number.POSITIVE_INFINITY;
  let stopped = false;
  let running = false;
  let inFlight: Promise<unknown> = Promise.resolve();
  // Deadlines noted while a run was in flight: its plan may have been read before they committed.
  let notedDuringRun = Number.POSITIVE_INFINITY;
  let failures = 0;

  const armAt = (at: number): void => {
    clearTimeout(timer);
    if (stopped) return;
    wakeAt = at;
    timer = setTimeout(
      () => {
        // A run the broker's close cut short is expected, not an error to report.
        inFlight = tick().catch((error: unknown) => {
          if (!stopped) onError(error);
        });
      },
      Math.max(0, at - clock.now().getTime()),
    );
    timer.unref();
  };
  const tick = async (): Promise<void> => {
    if (stopped || running) return;
    clearTimeout(timer);
    wakeAt = Number.POSITIVE_INFINITY;
    running = true;
    notedDuringRun = Number.POSITIVE_INFINITY;
    try {
      const now = clock.now();
      const plan = await expire(now);
      failures = 0;
      // The plan caps the sleep, so a clock jump or a missed note is caught within a minute.
      if (plan.sleepMs !== null) armAt(now.getTime() + plan.sleepMs + AFTER_DEADLINE_MS);
    } catch (error) {
      // A failed run (database busy, disk full) must not stop server-side expiry: retry.
      failures += 1;
      armAt(clock.now().getTime() + Math.min(RETRY_BASE_MS * 2 ** (failures - 1), MAX_SLEEP_MS));
      throw error;
    } finally {
      running = false;
      if (notedDuringRun < wakeAt) armAt(notedDuringRun);
    }
  };

  await tick();
  return {
    note: (deadline) => {
      if (deadline === null || stopped) return;
      const at = Date.parse(deadline) + AFTER_DEADLINE_MS;
      if (running) notedDuringRun = Math.min(notedDuringRun, at);
      else if (at < wakeAt) armAt(at);
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
