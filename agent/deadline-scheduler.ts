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

  async function wipe(grantId: string, trigger: WipeTrigger): Promise<boolean> {
    const record = deps.store.get(grantId);
    if (!record) return true;
    const removed = await deps.vault.remove(grantAccount(grantId));
    if (!removed.ok) return false;
    if (record.wipedAt === null) {
      // On the broker's time line, like every instant the broker records.
      const wipedAt = new Date(deps.clock.now() + deps.store.offsetMs()).toISOString();
      // The receipt is queued with the wipe itself: it survives a crash and an offline broker.
      deps.store.upsert({
        ...record,
        credentialStored: false,
        wipedAt,
        receipt: { wipedAt, trigger, items: ['keychain'] },
      });
      deps.onEvent?.({ kind: 'grantWiped', grantId, role: record.role, trigger });
    }
    return true;
  }

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
    let failed = false;
    for (const action of plan.due) failed = !(await perform(action)) || failed;
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
