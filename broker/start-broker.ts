/** The broker's imperative shell: opens storage, loads policy and keys, starts expiry and the outbox, listens. */
import { readFile } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import type { BrokerConfig } from './config.ts';
import { startCheckpointWriter } from './audit/checkpoint-writer.ts';
import { createTokenVerifier } from './auth/token-verifier.ts';
import { loadOrCreateSigningKey } from './credentials/signing-key.ts';
import { createEventBus, type EventBus } from './events/event-bus.ts';
import { createBrokerMetrics } from './http/metrics.ts';
import { webhookDeliveries, type WebhookTarget } from './webhooks/webhooks.ts';
import { createWebhookSender } from './webhooks/webhook-delivery.ts';
import { buildBrokerApp, servedRoutes, type ServedRoute } from './http/build-broker-app.ts';
import { expireDueGrants } from './lifecycle/expire-grants.ts';
import { expiryGate } from './lifecycle/expiry-gate.ts';
import { startExpiryScheduler, type ExpiryScheduler } from './lifecycle/expiry-scheduler.ts';
import { GrantService } from './lifecycle/grant-service.ts';
import { createOutboxWorker } from './lifecycle/outbox-worker.ts';
import { livePolicy, type PolicyReload } from './policy/live-policy.ts';
import { loadPolicyFile } from './policy/load-policy.ts';
import { startProviders } from './providers/registry.ts';
import { randomIds, systemClock, type Clock, type Ids } from './ports.ts';
import type { GrantRepository } from './store/grant-repository.ts';
import { openStore } from './store/open-store.ts';
import { listenForEvents, type EventListenerConnection } from './store/pg-listen.ts';
import type { BrokerDatabase } from './store/schema.ts';
import type { StoreBackend } from './store/store-dialect.ts';

/** A running broker. `db` is for tests that inspect rows; the broker itself goes through `repo`. */
export interface RunningBroker {
  url: string;
  db: Kysely<BrokerDatabase>;
  backend: StoreBackend;
  repo: GrantRepository;
  bus: EventBus;
  /** The routes the HTTP app serves. */
  routes: readonly ServedRoute[];
  /** Re-reads the policy file; a bad one is refused and the old policy keeps serving. */
  reloadPolicy(): Promise<PolicyReload>;
  close(): Promise<void>;
}

/** The configured webhooks with their secrets read from the environment. */
function webhookTargets(config: BrokerConfig, env: NodeJS.ProcessEnv): WebhookTarget[] {
  return config.webhooks.map((hook) => {
    const secret = hook.secretEnv ? env[hook.secretEnv] : undefined;
    if (hook.secretEnv && !secret)
      throw new Error(
        `webhook ${new URL(hook.url).host}: environment variable ${hook.secretEnv} is unset`,
      );
    return { url: hook.url, format: hook.format, secret, events: hook.events };
  });
}

/** TLS material, proxy trust and log level for the HTTP server. */
async function serverOptions(config: BrokerConfig) {
  const read = (path: string, what: string) =>
    readFile(path).catch(() => {
      throw new Error(`cannot read the TLS ${what} at ${path}`);
    });
  return {
    ...(config.tls
      ? {
          https: {
            cert: await read(config.tls.certPath, 'certificate'),
            key: await read(config.tls.keyPath, 'key'),
          },
        }
      : {}),
    ...(config.trustProxy !== undefined ? { trustProxy: config.trustProxy } : {}),
    logLevel: config.logLevel ?? 'silent',
  };
}

/** Starts the broker on `config.host`. Throws with a clear message when policy, key or database are unusable. */
export async function startBroker(
  config: BrokerConfig,
  ports: {
    clock?: Clock;
    ids?: Ids;
    onInternalError?: (error: unknown) => void;
    /** Where target secrets named `{ env: VAR }` are read (default: process.env). */
    env?: NodeJS.ProcessEnv;
    /** Told each expiry's lateness (deadline to commit, seconds), besides the metric (bench). */
    onExpiryLateness?: (seconds: number) => void;
  } = {},
): Promise<RunningBroker> {
  const clock = ports.clock ?? systemClock;
  const onInternalError = ports.onInternalError ?? (() => undefined);
  const policy = await loadPolicyFile(config.policyPath);
  if (policy.status === 'error') throw new Error(policy.message);
  const live = livePolicy(config.policyPath, policy.policy);
  const server = await serverOptions(config);
  const hookTargets = webhookTargets(config, ports.env ?? process.env);
  const signingKey = await loadOrCreateSigningKey(config.signingKeyPath);
  const { db, repo, backend } = await openStore(config);
  let publicUrl = config.publicUrl ?? '';
  const providers = await startProviders({
    repo,
    clock,
    signingKey,
    publicUrl: () => publicUrl,
    policyRoles: policy.policy.roles,
    targets: config.targets,
    env: ports.env ?? process.env,
  }).catch(async (error: unknown) => {
    await db.destroy();
    throw error;
  });
  const bus = createEventBus();
  // Replicas on one PostgreSQL hear each other's commits: streams here wake for events made there.
  let listener: EventListenerConnection | undefined;
  if (config.databaseUrl) {
    listener = listenForEvents(config.databaseUrl, (seq) => bus.publish(seq), onInternalError);
    await listener.ready;
  }
  const worker = createOutboxWorker({
    repo,
    providers,
    clock,
    onError: onInternalError,
    webhooks: createWebhookSender(hookTargets, (id) => repo.findGrant(id)),
    // The alarm: an audit record and an event (the service exists by the time the worker runs).
    onIrrevocable: async (grantId, attempts, error) => {
      await service.apply(
        grantId,
        { kind: 'targetIrrevocable', attempts, error },
        { kind: 'broker' },
      );
    },
    onRevokedLate: async (grantId, attempts) => {
      await service.apply(grantId, { kind: 'targetRevoked', attempts }, { kind: 'broker' });
    },
  });
  // The scheduler needs the service and the service's hooks need the scheduler: a late binding.
  const expiry: { scheduler?: ExpiryScheduler } = {};
  const service = new GrantService({
    repo,
    get policy() {
      return live.current;
    },
    clock,
    wipeGraceSeconds: config.wipeGraceSeconds,
    webhooks: (grant, changes, at) =>
      webhookDeliveries(hookTargets, grant, changes, live.current, at),
    hooks: {
      eventsCommitted: (seq) => bus.publish(seq),
      effectsQueued: () => worker.kick(),
      deadlineChanged: (deadline) => {
        gate.note(deadline);
        expiry.scheduler?.note(deadline);
      },
    },
  });
  const metrics = createBrokerMetrics();
  const gate = expiryGate(
    (now) =>
      expireDueGrants(repo, service, now, (late) => {
        metrics.expiryLatenessSeconds.observe(late);
        ports.onExpiryLateness?.(late);
      }),
    clock,
  );
  // The first run expires whatever became overdue while the broker was down.
  const scheduler = await startExpiryScheduler((now) => gate.sweep(now), clock, onInternalError);
  expiry.scheduler = scheduler;
  // Effects committed before a crash or restart are carried out now.
  worker.kick();
  const app = buildBrokerApp({
    repo,
    service,
    get policy() {
      return live.current;
    },
    clock,
    ids: ports.ids ?? randomIds,
    signingKey,
    providers,
    verify: createTokenVerifier(config.issuers, clock, policy.policy.tenant),
    trustedIssuers: config.issuers,
    bus,
    heartbeatMs: config.eventHeartbeatSeconds * 1000,
    publicUrl: () => publicUrl,
    rateLimitPerMinute: config.rateLimitPerMinute,
    expireDue: () => gate.sweepIfDue(),
    metrics,
    ready: () => ready,
    server,
    onInternalError,
  });
  const checkpoints = startCheckpointWriter({
    repo,
    key: signingKey,
    clock,
    intervalMs: config.auditCheckpointSeconds * 1000,
    onError: onInternalError,
  });
  const stopWork = () => {
    checkpoints.stop();
    void scheduler.stop();
    void worker.stop();
    void listener?.close();
    for (const provider of providers.values()) void provider.close();
  };
  // Ready once listening with the schema migrated and overdue grants expired; not while closing.
  let ready = false;
  try {
    const address = await app.listen({ host: config.host, port: config.port });
    publicUrl ||= address;
    ready = true;
  } catch (error) {
    stopWork();
    await db.destroy();
    throw error;
  }
  const url = publicUrl.replace(/\/$/, '');
  return {
    url,
    db,
    backend,
    repo,
    bus,
    routes: servedRoutes(app),
    reloadPolicy: () => live.reload(),
    close: async () => {
      ready = false;
      stopWork();
      await app.close();
      // The last head is signed on the way out, so a tail cut after shutdown is detected.
      await checkpoints.checkpoint().catch(onInternalError);
      // An expiry run in flight finishes before the store goes away.
      await scheduler.stop();
      // So does an outbox run (a webhook in flight records its outcome).
      await worker.stop();
      // Through the repository: writes still queued for a group commit finish before it closes.
      await repo.close();
    },
  };
}
