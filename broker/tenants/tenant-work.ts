/**
 * A tenant's background work and lifecycle service: event bus (fed by its own LISTEN connection on
 * PostgreSQL), outbox worker, expiry scheduler and gate, and checkpoint writer, each over the
 * tenant's own store and key.
 */
import { startCheckpointWriter, type WitnessCursor } from '../audit/checkpoint-writer.ts';
import type { BoundProvider } from '../credentials/provider.ts';
import type { SigningKey } from '../credentials/signing-key.ts';
import { createEventBus, type EventBus } from '../events/event-bus.ts';
import { expireDueGrants } from '../lifecycle/expire-grants.ts';
import { expiryGate, type ExpiryGate } from '../lifecycle/expiry-gate.ts';
import { startExpiryScheduler, type ExpiryScheduler } from '../lifecycle/expiry-scheduler.ts';
import { GrantService, type CommitHooks } from '../lifecycle/grant-service.ts';
import { createOutboxWorker } from '../lifecycle/outbox-worker.ts';
import { createReconciler, type ReconcileStatus } from '../lifecycle/reconciler.ts';
import type { LivePolicy } from '../policy/live-policy.ts';
import type { GrantRepository } from '../store/grant-repository.ts';
import type { OpenStore } from '../store/open-store.ts';
import { listenForEvents, type EventListenerConnection } from '../store/pg-listen.ts';
import { webhookDeliveries, type WebhookTarget } from '../webhooks/webhooks.ts';
import { createWebhookSender } from '../webhooks/webhook-delivery.ts';
import type { ProviderKind } from '../../protocol/broker-api.ts';
import { tenantLabel } from '../http/ops-routes.ts';
import type { TenantSettings } from './tenant-config.ts';
import type { TenantShared } from './tenant-runtime.ts';

/** What the work runs over: the tenant's policy, key, store and providers. */
export interface WorkInputs {
  live: LivePolicy;
  signingKey: SigningKey;
  store: OpenStore;
  providers: ReadonlyMap<ProviderKind, BoundProvider>;
  /** Where each signed checkpoint is witnessed outside the store (already checked against it). */
  witnesses?: readonly WitnessCursor[];
}

/** A tenant's running work. */
export interface TenantWork {
  bus: EventBus;
  service: GrantService;
  /** Expires what is due now (reads call it first). */
  expireDue(): Promise<void>;
  /** What reconciliation at the targets has found and removed (`/healthz`, `/metrics`). */
  reconciliation(): ReconcileStatus;
  /** Stops timers and the LISTEN connection at once. */
  stop(): void;
  /** A last checkpoint, then in-flight expiry and outbox runs finish. */
  finish(): Promise<void>;
}

/** The tenant's webhooks with their secrets read from the environment. */
export function webhookTargets(
  hooks: TenantSettings['webhooks'],
  env: NodeJS.ProcessEnv,
): WebhookTarget[] {
  return hooks.map((hook) => {
    const secret = hook.secretEnv ? env[hook.secretEnv] : undefined;
    if (hook.secretEnv && !secret)
      throw new Error(
        `webhook ${new URL(hook.url).host}: environment variable ${hook.secretEnv} is unset`,
      );
    return { url: hook.url, format: hook.format, secret, events: hook.events };
  });
}

/** Replicas on one PostgreSQL hear each other's commits: streams here wake for events made there. */
async function listenIfShared(
  settings: TenantSettings,
  bus: EventBus,
  onError: (error: unknown) => void,
): Promise<EventListenerConnection | undefined> {
  if (!settings.databaseUrl) return undefined;
  const listener = listenForEvents(settings.databaseUrl, (seq) => bus.publish(seq), onError);
  await listener.ready;
  return listener;
}

/** The lifecycle service with its commit hooks (the late-bound scheduler and gate). */
function tenantService(
  shared: TenantShared,
  inputs: WorkInputs,
  hooks: readonly WebhookTarget[],
  wake: { bus: EventBus; kick: () => void; deadline: CommitHooks['deadlineChanged'] },
): GrantService {
  const { live } = inputs;
  return new GrantService({
    repo: inputs.store.repo,
    get policy() {
      return live.current;
    },
    clock: shared.clock,
    wipeGraceSeconds: shared.config.wipeGraceSeconds,
    webhooks: (grant, changes, at) => webhookDeliveries(hooks, grant, changes, live.current, at),
    hooks: {
      eventsCommitted: (seq) => wake.bus.publish(seq),
      effectsQueued: () => wake.kick(),
      deadlineChanged: (deadline) => wake.deadline(deadline),
    },
  });
}

/** The outbox worker; its alarms go through the service (bound once it exists). */
function tenantWorker(
  shared: TenantShared,
  inputs: WorkInputs,
  hooks: readonly WebhookTarget[],
  service: () => GrantService,
) {
  const { repo } = inputs.store;
  return createOutboxWorker({
    repo,
    providers: inputs.providers,
    clock: shared.clock,
    onError: shared.onInternalError,
    webhooks: createWebhookSender(hooks, (id) => repo.findGrant(id)),
    onIrrevocable: async (grantId, attempts, error) => {
      await service().apply(
        grantId,
        { kind: 'targetIrrevocable', attempts, error },
        { kind: 'broker' },
      );
    },
    onRevokedLate: async (grantId, attempts) => {
      await service().apply(grantId, { kind: 'targetRevoked', attempts }, { kind: 'broker' });
    },
  });
}

/** The expiry gate over the tenant's store; lateness measured under the tenant's label. */
function tenantGate(
  settings: TenantSettings,
  shared: TenantShared,
  repo: GrantRepository,
  service: GrantService,
): ExpiryGate {
  const label = tenantLabel(settings.name);
  return expiryGate(
    (now) =>
      expireDueGrants(repo, service, now, (seconds) => {
        shared.metrics.expiryLatenessSeconds.observe(seconds, label);
        shared.onExpiryLateness?.(seconds);
      }),
    shared.clock,
  );
}

/** Starts the tenant's work; the first expiry run takes whatever fell due while it was down. */
export async function startTenantWork(
  settings: TenantSettings,
  shared: TenantShared,
  inputs: WorkInputs,
  hooks: readonly WebhookTarget[],
): Promise<TenantWork> {
  const { clock, onInternalError } = shared;
  const { repo } = inputs.store;
  const bus = createEventBus();
  const listener = await listenIfShared(settings, bus, onInternalError);
  const late: { scheduler?: ExpiryScheduler } = {};
  const worker = tenantWorker(shared, inputs, hooks, () => service);
  const service = tenantService(shared, inputs, hooks, {
    bus,
    kick: () => worker.kick(),
    deadline: (deadline) => {
      gate.note(deadline);
      late.scheduler?.note(deadline);
    },
  });
  const gate = tenantGate(settings, shared, repo, service);
  const scheduler = await startExpiryScheduler((now) => gate.sweep(now), clock, onInternalError);
  late.scheduler = scheduler;
  // Effects committed before a crash or restart are carried out now.
  worker.kick();
  // Whatever a crash left at a target with no grant behind it is removed now, then periodically.
  const reconciler = createReconciler({
    repo,
    providers: inputs.providers,
    clock,
    onError: onInternalError,
  });
  reconciler.start();
  const checkpoints = startCheckpointWriter({
    repo,
    key: inputs.signingKey,
    clock,
    intervalMs: shared.config.auditCheckpointSeconds * 1000,
    onError: onInternalError,
    witnesses: inputs.witnesses ?? [],
  });
  // Records left unsigned by a crash are signed (and witnessed) now, not one interval later.
  checkpoints.checkpoint().catch(onInternalError);
  const closeWitnesses = () => {
    for (const cursor of inputs.witnesses ?? []) cursor.witness.close();
  };
  return {
    bus,
    service,
    expireDue: () => gate.sweepIfDue(),
    reconciliation: () => reconciler.status(),
    stop: () => {
      checkpoints.stop();
      void reconciler.stop();
      void scheduler.stop();
      void worker.stop();
      void listener?.close();
    },
    finish: async () => {
      // The last head is signed on the way out, so a tail cut after shutdown is detected.
      await checkpoints.checkpoint().catch(onInternalError);
      closeWitnesses();
      // An expiry run in flight finishes before the store goes away; so does an outbox run.
      await scheduler.stop();
      await worker.stop();
      await reconciler.stop();
    },
  };
}
