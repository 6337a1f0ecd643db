/**
 * The deadline shell: one timer armed for the next planned action, re-armed on every change and use,
 * capped so that sleep and clock jumps are caught within seconds. At a deadline it wipes the grant's
 * secret (its deadline bucket, see grant-secrets.ts) and marks the grant wiped; on start it wipes
 * whatever expired while the agent was down.
 */
import type { WipeTrigger } from '../protocol/index.ts';
import type { Clock } from './clock.ts';
import type { DeadlineAction } from './deadline-plan.ts';
import { planDeadlines } from './deadline-plan.ts';
import type { GrantSecrets } from './grant-secrets.ts';
import { wipeInstant } from './grant-secrets-layout.ts';
import type { GrantRecord, GrantStore } from './grant-store.ts';

const RETRY_MS = 1000;
/**
 * The coarse tick: the longest the scheduler sleeps. Timers run on the monotonic clock, which stops
 * while a laptop is suspended; waking up at least this often keeps a wipe after a resume within a
 * second of the deadline. A tick plans over the store in memory: microseconds, no I/O.
 */
const COARSE_TICK_MS = 1000;

/** Emitted to the host (tray, notifications). Carries no secret. */
export type DeadlineEvent =
  | { kind: 'grantExpiring'; grantId: string; role: string; secondsLeft: number }
  | { kind: 'grantWiped'; grantId: string; role: string; trigger: WipeTrigger };

/** The running scheduler. */
export interface DeadlineScheduler {
  /** Runs due actions now and re-arms the timer. */
  rearm(): Promise<void>;
  /**
   * Wipes one grant now (revocation, logout, "I'm done"). Answers whether its secret is gone.
   * A receipt for the broker is queued in the store with `trigger`.
   */
  wipe(grantId: string, trigger: WipeTrigger): Promise<boolean>;
  /** Wipes several grants at once (sign-out, another user signing in); answers the ids gone. */
  wipeMany(grantIds: readonly string[], trigger: WipeTrigger): Promise<Set<string>>;
  stop(): void;
}

/** What the scheduler needs. */
export interface DeadlineSchedulerDeps {
  store: GrantStore;
  secrets: GrantSecrets;
  clock: Clock;
  warnBeforeSeconds: readonly number[];
  onEvent?: (event: DeadlineEvent) => void;
  /** Longest sleep between checks (default 1 s), so a suspend is noticed within a second. */
  maxSleepMs?: number;
}

/**
 * Starts the scheduler: loads the grant secrets (which deletes every bucket whose time has passed
 * and every secret of a grant the store does not hold), wipes what already expired, arms the timer.
 */
export async function startDeadlineScheduler(
  deps: DeadlineSchedulerDeps,
): Promise<DeadlineScheduler> {
  const warned = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;

  /** Marks `ids` wiped in the store with their receipts queued (one write), and announces them. */
  function recordWiped(ids: readonly string[], trigger: WipeTrigger): void {
    // On the broker's time line, like every instant the broker records.
    const wipedAt = new Date(deps.clock.now() + deps.store.offsetMs()).toISOString();
    const marked = ids.flatMap((id) => {
      const r = deps.store.get(id);
      if (!r || r.wipedAt !== null) return [];
      // The receipt is queued with the wipe itself: it survives a crash and an offline broker.
      const receipt = { wipedAt, trigger, items: ['keychain'] };
      return [{ ...r, credentialStored: false, wipedAt, receipt }];
    });
    deps.store.upsertMany(marked);
    for (const r of marked)
      deps.onEvent?.({ kind: 'grantWiped', grantId: r.id, role: r.role, trigger });
  }

  /**
   * Wipes `grantIds`: whole bucket items where all their grants go (a thousand grants can share a
   * deadline), each item's grants recorded and announced as soon as it is gone. Answers the ids
   * gone; throws when the store could not record them (the next run records them).
   */
  async function wipeMany(grantIds: readonly string[], trigger: WipeTrigger): Promise<Set<string>> {
    const unrecorded: Error[] = [];
    const gone = await deps.secrets.remove(grantIds, (ids) => {
      try {
        recordWiped(ids, trigger);
      } catch (error) {
        unrecorded.push(error instanceof Error ? error : new Error('grant store write failed'));
      }
    });
    if (unrecorded[0]) throw unrecorded[0];
    return gone;
  }

  const wipe = async (grantId: string, trigger: WipeTrigger): Promise<boolean> =>
    (await wipeMany([grantId], trigger)).has(grantId);

  async function perform(action: DeadlineAction): Promise<boolean> {
    if (action.kind === 'wipe') return wipe(action.grantId, 'deadline');
    const key = `${action.grantId}:${action.beforeSeconds}`;
    if (!warned.has(key)) {
      warned.add(key);
      const role = deps.store.get(action.grantId)?.role ?? '';
      const secondsLeft = Math.max(0, Math.round((action.deadline - deps.clock.now()) / 1000));
      deps.onEvent?.({ kind: 'grantExpiring', grantId: action.grantId, role, secondsLeft });
    }
    return true;
  }

  /**
   * Warnings on the true deadlines (what the notification planner sees too); wipes when each
   * deadline's second begins, since the secret's bucket item is wiped whole (never late).
   */
  function planNow() {
    const records = deps.store.list();
    const now = deps.clock.now();
    const offset = deps.store.offsetMs();
    const view = (expiresAt: (g: GrantRecord) => string) =>
      records.map((g) => ({ id: g.id, expiresAt: expiresAt(g), wiped: g.wipedAt !== null }));
    const warns = planDeadlines(
      view((g) => g.expiresAt),
      now,
      offset,
      deps.warnBeforeSeconds,
    );
    const wipeAt = (g: GrantRecord) => new Date(wipeInstant(g.expiresAt)).toISOString();
    const wipes = planDeadlines(view(wipeAt), now, offset, []);
    // The warnings plan's own wipes (at the true deadlines) come after the bucket wipes: ignored.
    const nextWarn = warns.next?.kind === 'warn' ? warns.next.at : Infinity;
    return {
      offset,
      due: [...wipes.due, ...warns.due.filter((a) => a.kind === 'warn')],
      nextAt: Math.min(nextWarn, wipes.next?.at ?? Infinity),
    };
  }

  async function tick(): Promise<void> {
    const plan = planNow();
    const offset = plan.offset;
    const wipes = plan.due.flatMap((a) => (a.kind === 'wipe' ? [a.grantId] : []));
    let failed = wipes.length > 0 && (await wipeMany(wipes, 'deadline')).size < wipes.length;
    // Copies the store no longer points at (an extension whose old copy could not be removed).
    failed = !(await deps.secrets.expire()).ok || failed;
    for (const action of plan.due)
      if (action.kind === 'warn') failed = !(await perform(action)) || failed;
    if (stopped) return;
    clearTimeout(timer);
    const cap = failed ? RETRY_MS : (deps.maxSleepMs ?? COARSE_TICK_MS);
    const bucketAt = deps.secrets.nextWipeAt();
    const nextAt = Math.min(plan.nextAt, bucketAt === null ? Infinity : bucketAt - offset);
    const wait = Math.max(0, Math.min(cap, nextAt - deps.clock.now()));
    timer = setTimeout(() => void rearm(), wait);
    timer.unref();
  }

  function armRetry(): void {
    clearTimeout(timer);
    if (stopped) return;
    timer = setTimeout(() => void rearm(), RETRY_MS);
    timer.unref();
  }

  function rearm(): Promise<void> {
    // Single-flight: a wipe in progress is not raced by another tick; a call meanwhile re-plans after.
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await tick();
        } catch {
          // A failed run (grant store unwritable, keychain hiccup) must not end the wiping:
          // try again shortly instead of crashing or going quiet.
          armRetry();
        }
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
    return running;
  }

  // Nothing is served before the sweep; a keychain that cannot answer now is retried on use.
  await deps.secrets.load();
  await rearm();
  return {
    rearm,
    wipe: async (grantId, trigger) => {
      const gone = await wipe(grantId, trigger);
      await rearm();
      return gone;
    },
    wipeMany: async (grantIds, trigger) => {
      const gone = await wipeMany(grantIds, trigger);
      await rearm();
      return gone;
    },
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
