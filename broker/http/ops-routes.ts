/**
 * Operations endpoints (no token), at the root of the listener and over every tenant it serves:
 * `/healthz`, `/readyz` (200 once started and every tenant's store answers; 503 while starting or
 * shutting down; `?verbose` adds each credential provider's health) and `/metrics` (Prometheus
 * text; with several tenants every series carries a `tenant` label), plus the request-latency hook.
 */
import type { FastifyInstance } from 'fastify';
import { publicRoute } from '../../http-gate/route-access.ts';
import type { Readiness } from '../../protocol/broker-api.ts';
import type { EventBus } from '../events/event-bus.ts';
import { providersHealth } from '../providers/provider-health.ts';
import type { GrantRepository } from '../store/grant-repository.ts';
import type { BrokerDeps } from './broker-deps.ts';
import { counter, gauge, labelValue, type BrokerMetrics } from './metrics.ts';

const STATES = ['pending', 'active', 'denied', 'expired', 'revoked', 'cancelled'];

/** What the ops routes read of one tenant. */
export interface OpsTenant {
  /** Undefined: the one tenant at the root (its series carry no `tenant` label). */
  name: string | undefined;
  repo: GrantRepository;
  bus: EventBus;
  providers: BrokerDeps['providers'];
  reconciliation: BrokerDeps['reconciliation'];
}

/** What the ops routes read of a tenant served with `deps`. */
export const opsTenant = (name: string | undefined, deps: BrokerDeps): OpsTenant => ({
  name,
  repo: deps.repo,
  bus: deps.bus,
  providers: deps.providers,
  reconciliation: deps.reconciliation,
});

/** The `tenant="…"` label of a tenant's series (empty for the root tenant). */
export const tenantLabel = (name: string | undefined): string =>
  name === undefined ? '' : `tenant="${labelValue(name)}"`;

const joined = (...labels: string[]): string => labels.filter(Boolean).join(',');

/** One tenant's gauge values under `labels`. */
async function tenantGauges(tenant: OpsTenant) {
  const [counts, outbox] = await Promise.all([
    tenant.repo.grantCounts(),
    tenant.repo.outboxStats(),
  ]);
  const label = tenantLabel(tenant.name);
  return {
    grants: STATES.map((state): [string, number] => [
      joined(label, `state="${state}"`),
      counts.byStatus[state] ?? 0,
    ]),
    failing: [label, outbox.failing] as [string, number],
    pending: [label, outbox.pending] as [string, number],
    irrevocable: [label, counts.irrevocable] as [string, number],
    streams: [label, tenant.bus.size()] as [string, number],
    orphans: Object.entries(tenant.reconciliation?.().removed ?? {}).map(
      ([kind, n]): [string, number] => [joined(label, `provider="${labelValue(kind)}"`), n],
    ),
  };
}

async function metricsText(tenants: readonly OpsTenant[], metrics: BrokerMetrics) {
  const each = await Promise.all(tenants.map(tenantGauges));
  return [
    ...gauge(
      'hourglass_grants',
      'Grants by stored state.',
      each.flatMap((t) => t.grants),
    ),
    ...metrics.expiryLatenessSeconds.render(
      'hourglass_expiry_lateness_seconds',
      'Seconds between a grant deadline and its server-side expiry.',
    ),
    ...gauge(
      'hourglass_revocation_failures',
      'Outbox effects failing and awaiting retry.',
      each.map((t) => t.failing),
    ),
    ...gauge(
      'hourglass_outbox_pending',
      'Outbox effects not yet carried out.',
      each.map((t) => t.pending),
    ),
    ...gauge(
      'hourglass_irrevocable_grants',
      'Grants marked irrevocable now: revocation at the target was given up (retries go on).',
      each.map((t) => t.irrevocable),
    ),
    ...counter(
      'hourglass_orphans_removed_total',
      'Things at a target no live grant accounted for, removed by reconciliation (since start).',
      each.flatMap((t) => t.orphans),
    ),
    ...gauge(
      'hourglass_sse_clients',
      'Open event streams.',
      each.map((t) => t.streams),
    ),
    ...metrics.requestSeconds.render(
      'hourglass_http_request_duration_seconds',
      'HTTP request latency by route.',
    ),
  ];
}

/** `/healthz` of one tenant. */
async function tenantHealth(tenant: OpsTenant) {
  const outbox = await tenant.repo.outboxStats();
  // Effects that keep failing (a target that cannot be reached) show here, not only in logs.
  const status = outbox.failing > 0 ? 'degraded' : 'ok';
  const reconciliation = tenant.reconciliation?.();
  return {
    status,
    outbox,
    eventStreams: tenant.bus.size(),
    ...(reconciliation ? { reconciliation } : {}),
  };
}

/** `/healthz` over every tenant: the one tenant's, or a sum with each tenant's own. */
async function health(tenants: readonly OpsTenant[], now: Date) {
  const each = await Promise.all(tenants.map(tenantHealth));
  const [only] = each;
  if (tenants.length === 1 && tenants[0]?.name === undefined && only)
    return { now: now.toISOString(), ...only };
  const sum = (pick: (h: (typeof each)[number]) => number) =>
    each.reduce((total, h) => total + pick(h), 0);
  return {
    now: now.toISOString(),
    status: each.some((h) => h.status === 'degraded') ? 'degraded' : 'ok',
    outbox: { pending: sum((h) => h.outbox.pending), failing: sum((h) => h.outbox.failing) },
    eventStreams: sum((h) => h.eventStreams),
    tenants: Object.fromEntries(tenants.map((t, i) => [t.name ?? '', each[i]])),
  };
}

/**
 * `/readyz` over `tenants` (the listener's, or one tenant's under its mount, which
 * `hourglass-broker drill --broker <tenant URL>` reads for that tenant's providers).
 */
export function installReadiness(
  app: FastifyInstance,
  tenants: readonly OpsTenant[],
  ready: () => boolean,
): void {
  app.get('/readyz', { config: publicRoute }, async (request, reply): Promise<Readiness> => {
    if (!ready()) return reply.status(503).send({ status: 'not_ready' });
    await Promise.all(tenants.map((t) => t.repo.lastEventSeq()));
    // `?verbose` (as Kubernetes' probes): each provider's targets too; readiness stays 200.
    const query = request.query as Record<string, unknown> | undefined;
    if (query?.verbose === undefined) return { status: 'ready' };
    const each = await Promise.all(
      tenants.map(async (t) =>
        (await providersHealth(t.providers)).map((p) => ({
          ...p,
          ...(t.name !== undefined ? { tenant: t.name } : {}),
        })),
      ),
    );
    return { status: 'ready', providers: each.flat() };
  });
}

/** Serves /healthz, /readyz and /metrics over `tenants` and times every request. */
export function installOpsRoutes(
  app: FastifyInstance,
  tenants: readonly OpsTenant[],
  ops: { metrics: BrokerMetrics; ready: () => boolean; now: () => Date },
): void {
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    ops.metrics.requestSeconds.observe(
      reply.elapsedTime / 1000,
      `method="${request.method}",route="${labelValue(route)}",status="${reply.statusCode}"`,
    );
    done();
  });
  app.get('/healthz', { config: publicRoute }, () => health(tenants, ops.now()));
  installReadiness(app, tenants, ops.ready);
  app.get('/metrics', { config: publicRoute }, async (_request, reply) => {
    const lines = await metricsText(tenants, ops.metrics);
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(`${lines.join('\n')}\n`);
  });
}
