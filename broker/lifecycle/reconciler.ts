/**
 * Reconciliation: each provider that leaves something at its targets lists what exists there under
 * the broker's naming, and removes what no grant accounts for (issue 18: a crash between an issue's
 * claim and its completion once left login roles behind for good). Each removal is an
 * `orphan_removed` audit record, and shows in `/healthz` and `/metrics`. Runs at start and then
 * every `intervalMs`; a run that fails (a target down) is reported and retried at the next tick.
 */
import type { ProviderKind } from '../../protocol/broker-api.ts';
import type { BoundProvider, OrphanRemoval } from '../credentials/provider.ts';
import type { Clock } from '../ports.ts';
import type { GrantRepository } from '../store/grant-repository.ts';

/** Default time between runs. */
export const RECONCILE_INTERVAL_MS = 60_000;
/** Removals kept for `/healthz`. */
const RECENT = 20;

/** What `/healthz` and `/metrics` show of reconciliation. */
export interface ReconcileStatus {
  /** When the last run finished (null: none yet). */
  lastRunAt: string | null;
  /** Removals since this process started, by provider kind. */
  removed: Partial<Record<ProviderKind, number>>;
  /** The latest removals, newest last. */
  recent: (OrphanRemoval & { at: string })[];
  /** Why the last run failed (null: it did not). */
  lastError: string | null;
  /** Per provider: `listed` (its targets are listed), or why nothing persists at a target. */
  providers: Partial<Record<ProviderKind, string>>;
}

/** A running reconciler. */
export interface Reconciler {
  /** One run over every provider; answers its removals. */
  runOnce(): Promise<OrphanRemoval[]>;
  /** Runs now, then every interval. */
  start(): void;
  status(): ReconcileStatus;
  /** Stops the timer; resolves once a run in flight has finished. */
  stop(): Promise<void>;
}

/** Dependencies of the reconciler. */
export interface ReconcilerDeps {
  repo: GrantRepository;
  providers: ReadonlyMap<ProviderKind, BoundProvider>;
  clock: Clock;
  onError: (error: unknown) => void;
  intervalMs?: number;
}

/** Creates the reconciler; `start()` runs it. */
export function createReconciler(deps: ReconcilerDeps): Reconciler {
  const state: ReconcileStatus = {
    lastRunAt: null,
    removed: {},
    recent: [],
    lastError: null,
    providers: Object.fromEntries(
      [...deps.providers].map(([kind, p]) => [
        kind,
        p.reconciliation?.mode === 'listed' ? 'listed' : (p.reconciliation?.why ?? 'not listed'),
      ]),
    ),
  };
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();

  const report = async (removal: OrphanRemoval): Promise<void> => {
    const at = deps.clock.now();
    await deps.repo.recordAudit({
      at,
      event: 'orphan_removed',
      grantId: null,
      actor: 'broker',
      role: null,
      details: { provider: removal.kind, target: removal.target, name: removal.name },
    });
    state.removed[removal.kind] = (state.removed[removal.kind] ?? 0) + 1;
    state.recent = [...state.recent, { ...removal, at: at.toISOString() }].slice(-RECENT);
  };

  const runOnce = async (): Promise<OrphanRemoval[]> => {
    const removals: OrphanRemoval[] = [];
    const failures: string[] = [];
    for (const provider of deps.providers.values()) {
      const reconciliation = provider.reconciliation;
      if (reconciliation?.mode !== 'listed') continue;
      try {
        await reconciliation.run(
          () => deps.repo.grantsAccountingForAccess(),
          async (removal) => {
            removals.push(removal);
            await report(removal);
          },
        );
      } catch (error) {
        failures.push(`${provider.kind}: ${error instanceof Error ? error.message : 'failed'}`);
      }
    }
    state.lastRunAt = deps.clock.now().toISOString();
    state.lastError = failures.length > 0 ? failures.join('; ') : null;
    if (failures.length > 0) deps.onError(new Error(`reconciliation: ${state.lastError}`));
    return removals;
  };

  const tick = (): void => {
    if (stopped) return;
    running = running
      .then(runOnce)
      .catch(deps.onError)
      .finally(() => {
        if (stopped) return;
        timer = setTimeout(tick, deps.intervalMs ?? RECONCILE_INTERVAL_MS);
        timer.unref();
      });
  };

  return {
    runOnce,
    start: tick,
    status: () => structuredClone(state),
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running.catch(() => undefined);
    },
  };
}
