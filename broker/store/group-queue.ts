/**
 * The queue behind both group commits (Kysely's and the synchronous SQLite one): jobs that
 * arrive while a group runs wait for the next group; a group holds at most `maxGroup` jobs.
 */

/** Queued jobs, run in groups by the commit that owns the queue. */
export interface GroupQueue<J> {
  push: (job: J) => void;
  /** Resolves once every queued job has finished (before the store is closed). */
  idle: () => Promise<void>;
}

/** A queue whose groups `runGroup` runs one after another; `runGroup` answers every job itself. */
export function groupQueue<J>(
  runGroup: (jobs: readonly J[]) => Promise<void>,
  maxGroup: number,
): GroupQueue<J> {
  let queue: J[] = [];
  let draining = false;
  const idleWaiters: (() => void)[] = [];
  const drain = async (): Promise<void> => {
    try {
      while (queue.length > 0) {
        const jobs = queue.slice(0, maxGroup);
        queue = queue.slice(maxGroup);
        await runGroup(jobs);
      }
    } finally {
      draining = false;
      for (const wake of idleWaiters.splice(0)) wake();
    }
  };
  return {
    push: (job) => {
      queue.push(job);
      if (draining) return;
      draining = true;
      // One turn of the event loop first: requests whose token checks or reads finished meanwhile
      // queue their writes too and join the group (without it every group held one job).
      setImmediate(() => void drain());
    },
    idle: () =>
      draining ? new Promise((resolve) => idleWaiters.push(resolve)) : Promise.resolve(),
  };
}
