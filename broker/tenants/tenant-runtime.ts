/**
 * One tenant's running parts: its policy (reloadable), signing key, store, providers, event bus,
 * LISTEN connection, outbox worker, expiry scheduler, checkpoint writer and lifecycle service, and
 * the deps its routes are served with. Nothing here is shared with another tenant.
 */
import { openTenantWitnesses } from '../audit/tenant-witnesses.ts';
import { createTokenVerifier } from '../auth/token-verifier.ts';
import type { BrokerConfig } from '../config.ts';
import { loadOrCreateSigningKey, type SigningKey } from '../credentials/signing-key.ts';
import type { BoundProvider } from '../credentials/provider.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { BrokerDeps } from '../http/broker-deps.ts';
import { tenantPrefix } from '../http/tenants-mount.ts';
import type { BrokerMetrics } from '../http/metrics.ts';
import { livePolicy, type LivePolicy, type PolicyReload } from '../policy/live-policy.ts';
import { loadPolicyFile } from '../policy/load-policy.ts';
import type { Clock, Ids } from '../ports.ts';
import { startProviders } from '../providers/registry.ts';
import { openStore, type OpenStore } from '../store/open-store.ts';
import type { ProviderKind } from '../../protocol/broker-api.ts';
import type { TenantSettings } from './tenant-config.ts';
import { startTenantWork, webhookTargets, type TenantWork } from './tenant-work.ts';

/** What every tenant of one listener is started with. */
export interface TenantShared {
  config: BrokerConfig;
  clock: Clock;
  ids: Ids;
  env: NodeJS.ProcessEnv;
  metrics: BrokerMetrics;
  /** The listener's public URL (known once it listens). */
  rootUrl: () => string;
  ready: () => boolean;
  onInternalError: (error: unknown) => void;
  onExpiryLateness?: ((seconds: number) => void) | undefined;
}

/** A started tenant. */
export interface TenantRuntime extends OpenStore {
  /** Undefined: the one tenant served at the root. */
  name: string | undefined;
  policyPath: string;
  /** The tenant's public URL: `iss` of the credentials it signs. */
  url: () => string;
  bus: EventBus;
  deps: BrokerDeps;
  reloadPolicy(): Promise<PolicyReload>;
  /** Stops timers and connections at once (before the HTTP server drains). */
  stopWork(): void;
  /** After the server closed: a last checkpoint, in-flight runs finished, the store closed. */
  finish(): Promise<void>;
}

/** The tenant's policy, refused when a `tenants:` entry's policy names another tenant. */
async function tenantPolicy(settings: TenantSettings): Promise<LivePolicy> {
  const loaded = await loadPolicyFile(settings.policyPath);
  if (loaded.status === 'error') throw new Error(loaded.message);
  const { tenant } = loaded.policy;
  if (settings.name !== undefined && tenant !== settings.name)
    throw new Error(
      `${settings.field}.policyPath: ${settings.policyPath} is the policy of tenant "${tenant}", not "${settings.name}"; give tenant ${settings.name} its own policy file (tenant: ${settings.name})`,
    );
  return livePolicy(settings.policyPath, loaded.policy);
}

interface TenantParts {
  live: LivePolicy;
  signingKey: SigningKey;
  store: OpenStore;
  providers: ReadonlyMap<ProviderKind, BoundProvider>;
}

/** Policy, key, store and providers; the store is closed again when providers cannot start. */
async function openTenantParts(
  settings: TenantSettings,
  shared: TenantShared,
  url: () => string,
): Promise<TenantParts> {
  const live = await tenantPolicy(settings);
  const signingKey = await loadOrCreateSigningKey(settings.signingKeyPath);
  const store = await openStore(settings);
  const providers = await startProviders({
    repo: store.repo,
    clock: shared.clock,
    signingKey,
    publicUrl: url,
    policyRoles: live.current.roles,
    targets: settings.targets,
    env: shared.env,
  }).catch(async (error: unknown) => {
    await store.db.destroy();
    throw error;
  });
  return { live, signingKey, store, providers };
}

/** The issuers a tenant publishes and accepts: those not limited to other tenants. */
const issuersOf = (config: BrokerConfig, name: string | undefined) =>
  name === undefined
    ? config.issuers
    : config.issuers.filter((i) => i.tenants === undefined || i.tenants.includes(name));

function tenantDeps(
  settings: TenantSettings,
  shared: TenantShared,
  parts: TenantParts,
  work: TenantWork,
  url: () => string,
): BrokerDeps {
  const { config, clock } = shared;
  const { live } = parts;
  return {
    repo: parts.store.repo,
    service: work.service,
    get policy() {
      return live.current;
    },
    clock,
    ids: shared.ids,
    signingKey: parts.signingKey,
    providers: parts.providers,
    verify: createTokenVerifier(config.issuers, clock, live.current.tenant),
    trustedIssuers: issuersOf(config, settings.name),
    bus: work.bus,
    heartbeatMs: config.eventHeartbeatSeconds * 1000,
    publicUrl: url,
    rateLimitPerMinute: config.rateLimitPerMinute,
    expireDue: () => work.expireDue(),
    reconciliation: () => work.reconciliation(),
    metrics: shared.metrics,
    ready: shared.ready,
    onInternalError: shared.onInternalError,
  };
}

/** Starts one tenant. Throws with a clear message when its policy, key, store or targets are unusable. */
export async function startTenantRuntime(
  settings: TenantSettings,
  shared: TenantShared,
): Promise<TenantRuntime> {
  const url = () => `${shared.rootUrl().replace(/\/$/, '')}${tenantPrefix(settings.name)}`;
  const hooks = webhookTargets(settings.webhooks, shared.env);
  const parts = await openTenantParts(settings, shared, url);
  const work = await openTenantWitnesses(settings, {
    repo: parts.store.repo,
    signingKey: parts.signingKey,
    env: shared.env,
    now: () => shared.clock.now(),
  })
    .then((witnesses) => startTenantWork(settings, shared, { ...parts, witnesses }, hooks))
    .catch(async (error: unknown) => {
      for (const provider of parts.providers.values()) await provider.close();
      await parts.store.db.destroy();
      throw error;
    });
  const { repo } = parts.store;
  return {
    ...parts.store,
    name: settings.name,
    policyPath: settings.policyPath,
    url,
    bus: work.bus,
    deps: tenantDeps(settings, shared, parts, work, url),
    reloadPolicy: () => parts.live.reload(),
    stopWork: () => {
      work.stop();
      for (const provider of parts.providers.values()) void provider.close();
    },
    finish: async () => {
      await work.finish();
      // Through the repository: writes still queued for a group commit finish before it closes.
      await repo.close();
    },
  };
}
