/**
 * Operations endpoints (no token): `/readyz` (200 once started and the store answers; 503 while
 * starting or shutting down; `?verbose` adds each credential provider's health) and `/metrics` (Prometheus text), plus the request-latency hook.
 */
import type { FastifyInstance } from 'fastify';
import type { Readiness } from '../../protocol/broker-api.ts';
import { providersHealth } from '../providers/provider-health.ts';
import type { BrokerDeps } from './broker-deps.ts';
import { gauge, labelValue, type BrokerMetrics } from './metrics.ts';

const STATES = ['pending', 'active', 'denied', 'expired', 'revoked', 'cancelled'];

/** Serves /readyz and /metrics and times every request. */
export function installOpsRoutes(
  app: FastifyInstance,
  deps: BrokerDeps,
  metrics: BrokerMetrics,
  ready: () => boolean,
): void {
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requestSeconds.observe(
      reply.elapsedTime / 1000,
      `method="${request.method}",route="${labelValue(route)}",status="${reply.statusCode}"`,
    );
    done();
  });
  app.get('/readyz', async (request, reply): Promise<Readiness> => {
    if (!ready()) return reply.status(503).send({ status: 'not_ready' });
    await deps.repo.lastEventSeq();
    // `?verbose` (as Kubernetes' probes): each provider's targets too; readiness stays 200.
    const query = request.query as Record<string, unknown> | undefined;
    if (query?.verbose === undefined) return { status: 'ready' };
    return { status: 'ready', providers: await providersHealth(deps.providers) };
  });
  app.get('/metrics', async (_request, reply) => {
    const [counts, outbox] = await Promise.all([deps.repo.grantCounts(), deps.repo.outboxStats()]);
    const lines = [
      ...gauge(
        'hourglass_grants',
        'Grants by stored state.',
        STATES.map((state) => [`state="${state}"`, counts.byStatus[state] ?? 0]),
      ),
      ...metrics.expiryLatenessSeconds.render(
        'hourglass_expiry_lateness_seconds',
        'Seconds between a grant deadline and its server-side expiry.',
      ),
      ...gauge('hourglass_revocation_failures', 'Outbox effects failing and awaiting retry.', [
        ['', outbox.failing],
      ]),
      ...gauge('hourglass_outbox_pending', 'Outbox effects not yet carried out.', [
        ['', outbox.pending],
      ]),
      ...gauge(
        'hourglass_irrevocable_grants',
        'Grants marked irrevocable now: revocation at the target was given up (retries go on).',
        [['', counts.irrevocable]],
      ),
      ...gauge('hourglass_sse_clients', 'Open event streams.', [['', deps.bus.size()]]),
      ...metrics.requestSeconds.render(
        'hourglass_http_request_duration_seconds',
        'HTTP request latency by route.',
      ),
    ];
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(`${lines.join('\n')}\n`);
  });
}
