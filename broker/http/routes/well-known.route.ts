/**
 * `GET /.well-known/hourglass`: what this broker trusts (issuers, the audience their tokens must
 * carry, the app's public client id), so `hourglass setup <broker-url>` needs nothing else. Public
 * on purpose: it holds no secret, and the same facts are in every access token the broker accepts.
 */
import type { FastifyInstance } from 'fastify';
import { publicRoute } from '../../../http-gate/route-access.ts';
import type { BrokerDiscovery } from '../../../protocol/broker-api.ts';
import { BROKER_DISCOVERY_PATH, brokerDiscoverySchema } from '../../../protocol/broker-api.ts';
import type { BrokerDeps } from '../broker-deps.ts';

/** Registers the discovery route (not served when the deps name no issuers). */
export function wellKnownRoute(app: FastifyInstance, deps: BrokerDeps): void {
  const issuers = deps.trustedIssuers;
  if (!issuers || issuers.length === 0) return;
  app.get(BROKER_DISCOVERY_PATH, { config: publicRoute }, (_request, reply): BrokerDiscovery => {
    void reply.header('cache-control', 'public, max-age=300');
    return brokerDiscoverySchema.parse({
      brokerUrl: deps.publicUrl().replace(/\/$/, ''),
      issuers: issuers.map((i) => ({
        issuer: i.issuer,
        audience: i.audience,
        clientId: i.clientId ?? null,
        name: i.name ?? null,
        audienceParameter: i.audienceParameter ?? 'resource',
      })),
    });
  });
}
