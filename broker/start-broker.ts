/**
 * The broker's imperative shell: starts each tenant (policy, key, store, providers, workers) and
 * serves them all on one listener — one tenant at the root, or several under `/tenants/<name>`.
 */
import { readFile } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import type { BrokerConfig } from './config.ts';
import type { EventBus } from './events/event-bus.ts';
import { buildListenerApp, servedRoutes, type ServedRoute } from './http/build-broker-app.ts';
import { createBrokerMetrics } from './http/metrics.ts';
import type { PolicyReload } from './policy/live-policy.ts';
import { randomIds, systemClock, type Clock, type Ids } from './ports.ts';
import type { GrantRepository } from './store/grant-repository.ts';
import type { BrokerDatabase } from './store/schema.ts';
import type { StoreBackend } from './store/store-dialect.ts';
import { tenantSettings } from './tenants/tenant-config.ts';
import {
  startTenantRuntime,
  type TenantRuntime,
  type TenantShared,
} from './tenants/tenant-runtime.ts';

/** One running tenant. `db` is for tests that inspect rows; the broker itself goes through `repo`. */
export interface RunningTenant {
  /** Undefined: the one tenant served at the root. */
  name: string | undefined;
  /** Where the tenant is served, and the `iss` of what it signs. */
  url: string;
  db: Kysely<BrokerDatabase>;
  backend: StoreBackend;
  repo: GrantRepository;
  bus: EventBus;
  policyPath: string;
  /** Re-reads the policy file; a bad one is refused and the old policy keeps serving. */
  reloadPolicy(): Promise<PolicyReload>;
}

/**
 * A running broker. `url` is the listener's; the tenant fields (`db`, `repo`, `reloadPolicy`…) are
 * the one root tenant's, and throw on a broker of several tenants (use `tenant(name)`).
 */
export interface RunningBroker extends RunningTenant {
  /** Every tenant served, in config order. */
  tenants: readonly RunningTenant[];
  /** The tenant named `name`; throws when there is none. */
  tenant(name: string): RunningTenant;
  /** The routes the HTTP app serves. */
  routes: readonly ServedRoute[];
  close(): Promise<void>;
}

/** Ports of the broker (tests and benches inject them). */
export interface BrokerPorts {
  clock?: Clock;
  ids?: Ids;
  onInternalError?: (error: unknown) => void;
  /** Where target and webhook secrets named `{ env: VAR }` are read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Told each expiry's lateness (deadline to commit, seconds), besides the metric (bench). */
  onExpiryLateness?: (seconds: number) => void;
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

/** Starts every tenant in order; when one fails, the ones started are closed and its error names it. */
async function startTenants(config: BrokerConfig, shared: TenantShared): Promise<TenantRuntime[]> {
  const started: TenantRuntime[] = [];
  for (const settings of tenantSettings(config)) {
    try {
      started.push(await startTenantRuntime(settings, shared));
    } catch (error) {
      await closeTenants(started);
      const message = error instanceof Error ? error.message : 'cannot start';
      if (settings.name === undefined) throw error;
      throw new Error(
        message.startsWith(settings.field) ? message : `tenant ${settings.name}: ${message}`,
      );
    }
  }
  return started;
}

async function closeTenants(tenants: readonly TenantRuntime[]): Promise<void> {
  for (const tenant of tenants) tenant.stopWork();
  for (const tenant of tenants) await tenant.finish();
}

/** The running view of a tenant runtime. */
const runningTenant = (t: TenantRuntime): RunningTenant => ({
  name: t.name,
  get url() {
    return t.url();
  },
  db: t.db,
  backend: t.backend,
  repo: t.repo,
  bus: t.bus,
  policyPath: t.policyPath,
  reloadPolicy: () => t.reloadPolicy(),
});

/** The broker's view: its listener, its tenants, and the root tenant's fields when it has one. */
function runningBroker(
  url: string,
  tenants: readonly RunningTenant[],
  routes: readonly ServedRoute[],
  close: () => Promise<void>,
): RunningBroker {
  const sole = (): RunningTenant => {
    const [only] = tenants;
    if (tenants.length === 1 && only && only.name === undefined) return only;
    throw new Error('this broker serves several tenants; pick one with broker.tenant(name)');
  };
  const tenant = (name: string): RunningTenant => {
    const found = tenants.find((t) => t.name === name);
    if (!found)
      throw new Error(
        `no tenant ${name} (tenants: ${tenants.map((t) => t.name ?? '(root)').join(', ')})`,
      );
    return found;
  };
  return {
    name: undefined,
    url,
    tenants,
    tenant,
    routes,
    close,
    get db() {
      return sole().db;
    },
    get backend() {
      return sole().backend;
    },
    get repo() {
      return sole().repo;
    },
    get bus() {
      return sole().bus;
    },
    get policyPath() {
      return sole().policyPath;
    },
    reloadPolicy: () => sole().reloadPolicy(),
  };
}

/** Starts the broker on `config.host`. Throws with a clear message when a tenant's policy, key or database are unusable. */
export async function startBroker(
  config: BrokerConfig,
  ports: BrokerPorts = {},
): Promise<RunningBroker> {
  const clock = ports.clock ?? systemClock;
  const onInternalError = ports.onInternalError ?? (() => undefined);
  const metrics = createBrokerMetrics();
  const server = await serverOptions(config);
  // Ready once listening with the schema migrated and overdue grants expired; not while closing.
  let ready = false;
  let publicUrl = config.publicUrl ?? '';
  const runtimes = await startTenants(config, {
    config,
    clock,
    ids: ports.ids ?? randomIds,
    env: ports.env ?? process.env,
    metrics,
    rootUrl: () => publicUrl,
    ready: () => ready,
    onInternalError,
    onExpiryLateness: ports.onExpiryLateness,
  });
  const app = buildListenerApp(
    {
      server,
      rateLimitPerMinute: config.rateLimitPerMinute,
      metrics,
      ready: () => ready,
      clock,
      onInternalError,
    },
    runtimes.map((t) => ({ name: t.name, deps: t.deps })),
  );
  try {
    const address = await app.listen({ host: config.host, port: config.port });
    publicUrl ||= address;
    ready = true;
  } catch (error) {
    await closeTenants(runtimes);
    throw error;
  }
  const close = async () => {
    ready = false;
    for (const tenant of runtimes) tenant.stopWork();
    await app.close();
    for (const tenant of runtimes) await tenant.finish();
  };
  return runningBroker(
    publicUrl.replace(/\/$/, ''),
    runtimes.map(runningTenant),
    servedRoutes(app),
    close,
  );
}
