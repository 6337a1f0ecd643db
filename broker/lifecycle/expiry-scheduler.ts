/** Server-side expiry: sleeps until the next deadline, expires what is due, re-arms. */
import type { Kysely } from 'kysely';
import type { Clock } from '../ports.ts';
import type { BrokerDatabase } from '../store/schema.ts';
import { expireDueGrants } from './expire-grants.ts';

/** A running expiry scheduler. */
export interface ExpiryScheduler {
  /** Expires whatever is due now and re-arms the timer (call after adding a grant). */
  rearm(): Promise<void>;
  stop(): void;
}

/** Starts the scheduler; the first run expires whatever became overdue while the broker was down. */
export async function startExpiryScheduler(
  db: Kysely<BrokerDatabase>,
  clock: Clock,
  onError: (error: unknown) => void,
): Promise<ExpiryScheduler> {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  const tick = async (): Promise<void> => {
    if (stopped) return;
    clearTimeout(timer);
    const plan = await expireDueGrants(db, clock.now());
    if (stopped || plan.sleepMs === null) return;
    // +5 ms so the timer fires after the deadline, not a hair before it.
    timer = setTimeout(() => void schedule(), plan.sleepMs + 5);
    timer.unref();
  };
  const schedule = (): Promise<void> => {
    running = running.then(tick).catch(onError);
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
