/**
 * The deadline shell: one timer armed for the next planned action, re-armed on every change and use,
 * capped so that sleep and clock jumps are caught within seconds. At a deadline it wipes the grant's
 * keychain item and marks the grant wiped; on start it wipes whatever expired while the agent was down.
 */
import type { WipeTrigger } from '../protocol/index.ts';
import type { Clock } from './clock.ts';
import type { DeadlineAction } from './deadline-plan.ts';
import { planDeadlines } from './deadline-plan.ts';
import type { GrantStore } from './grant-store.ts';
import type { Vault } from './keychain.vault.ts';
import { grantAccount } from './keychain.vault.ts';

const GRANT_PREFIX = grantAccount('');
const RETRY_MS = 1000;
/**
 * The coarse tick: the longest the scheduler sleeps. Timers run on the monotonic clock, which stops
 * while a laptop is suspended; waking up at least this often keeps a wipe after a resume within a
 * second of the deadline. A tick plans over the store in memory: microseconds, no I/O.
 */
const COARSE_TICK_MS = 1000;
/** Keychain deletes in flight at once: the Secret Service answers several faster than one by one. */
const WIPE_CONCURRENCY = 16;
/** Wipes recorded in the store with one write. */
const WIPE_BATCH = 64;

/** Maps `items` through `run` with at most `limit` in flight; answers results in order. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

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
  stop(): void;
}

/** What the scheduler needs. */
export interface DeadlineSchedulerDeps {
  store: GrantStore;
  vault: Vault;
  clock: Clock;
  warnBeforeSeconds: readonly number[];
  onEvent?: (event: DeadlineEvent) => void;
  /** Longest sleep between checks (default 1 s), so a suspend is noticed within a second. */
  maxSleepMs?: number;
}

/** Starts the scheduler: wipes what already expired, then arms the timer. */
export async function startDeadlineScheduler(
  deps: DeadlineSchedulerDeps,
): Promise<DeadlineScheduler> {
  const warned = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;

  /**
   * Wipes `grantIds`: keychain items deleted concurrently (a thousand grants can share a deadline),
   * then one store write marks them wiped with their receipts queued. Answers the ids now gone.
   */
  async function wipeMany(grantIds: readonly string[], trigger: WipeTrigger): Promise<Set<string>> {
    const gone = new Set<string>();
    const records = grantIds.map((id) => ({ id, record: deps.store.get(id) }));
    for (const { id, record } of records) if (!record) gone.add(id);
    const held = records.flatMap(({ record }) => (record ? [record] : []));
    const removed = await mapLimit(held, WIPE_CONCURRENCY, (r) =>
      deps.vault.remove(grantAccount(r.id)),
    );
    // On the broker's time line, like every instant the broker records.
    const wipedAt = new Date(deps.clock.now() + deps.store.offsetMs()).toISOString();
    const removedNow = held.filter((_, i) => removed[i]?.ok === true);
    for (const r of removedNow) gone.add(r.id);
    // The receipt is queued with the wipe itself: it survives a crash and an offline broker.
    const marked = removedNow
      .filter((r) => r.wipedAt === null)
      .map((r) => ({
        ...r,
        credentialStored: false,
        wipedAt,
        receipt: { wipedAt, trigger, items: ['keychain'] },
      }));
    deps.store.upsertMany(marked);
    for (const r of marked)
      deps.onEvent?.({ kind: 'grantWiped', grantId: r.id, role: r.role, trigger });
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

  async function tick(): Promise<void> {
    const grants = deps.store
      .list()
      .map((g) => ({ id: g.id, expiresAt: g.expiresAt, wiped: g.wipedAt !== null }));
    const plan = planDeadlines(
      grants,
      deps.clock.now(),
      deps.store.offsetMs(),
      deps.warnBeforeSeconds,
    );
    const wipes = plan.due.flatMap((a) => (a.kind === 'wipe' ? [a.grantId] : []));
    let failed = false;
    // In batches: each batch's wipes are recorded (and announced) as soon as its items are gone.
    for (let i = 0; i < wipes.length; i += WIPE_BATCH) {
      const batch = wipes.slice(i, i + WIPE_BATCH);
      failed = (await wipeMany(batch, 'deadline')).size < batch.length || failed;
    }
    for (const action of plan.due)
      if (action.kind === 'warn') failed = !(await perform(action)) || failed;
    if (stopped) return;
    clearTimeout(timer);
    const cap = failed ? RETRY_MS : (deps.maxSleepMs ?? COARSE_TICK_MS);
    const wait = plan.next ? Math.max(0, Math.min(cap, plan.next.at - deps.clock.now())) : cap;
    timer = setTimeout(() => void rearm(), wait);
    timer.unref();
  }

  function armRetry(): void {
    clearTimeout(timer);
    if (stopped) return;
    timer = setTimeout(() => void rearm(), RETRY_MS);
    timer.unref();
  }

  /**
   * Keychain items of grants the store does not know (a crash between writes, a lost or corrupt
   * store file) have no deadline anyone would honour: wipe them at start. Fail closed.
   */
  async function wipeOrphans(): Promise<void> {
    const accounts = await deps.vault.accounts();
    if (!accounts.ok) return;
    for (const account of accounts.value) {
      const grantId = account.startsWith(GRANT_PREFIX) ? account.slice(GRANT_PREFIX.length) : null;
      if (grantId !== null && !deps.store.get(grantId)) await deps.vault.remove(account);
    }
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

  await wipeOrphans();
  await rearm();
  return {
    rearm,
    wipe: async (grantId, trigger) => {
      const gone = await wipe(grantId, trigger);
      await rearm();
      return gone;
    },
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
