/** Everything the broker's routes need, handed in by the shell. */
import type { Clock, Ids } from '../ports.ts';
import type { Policy } from '../policy/policy-schema.ts';
import type { GrantRepository } from '../store/grant-repository.ts';
import type { SigningKey } from '../credentials/signing-key.ts';
import type { BoundProvider } from '../credentials/provider.ts';
import type { ProviderKind } from '../../protocol/broker-api.ts';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import type { GrantService } from '../lifecycle/grant-service.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { BrokerMetrics } from './metrics.ts';
import type { ReconcileStatus } from '../lifecycle/reconciler.ts';
import type { AudienceParameter } from '../../protocol/broker-api.ts';

/** Dependencies of the broker HTTP app. */
export interface BrokerDeps {
  repo: GrantRepository;
  service: GrantService;
  policy: Policy;
  clock: Clock;
  ids: Ids;
  signingKey: SigningKey;
  /** The started credential providers, by kind (broker/providers/registry.ts). */
  providers: ReadonlyMap<ProviderKind, BoundProvider>;
  verify: TokenVerifier;
  bus: EventBus;
  /** Milliseconds between heartbeat comments on the event stream. */
  heartbeatMs: number;
  /** The broker's public URL: `iss` of the credentials it signs. */
  publicUrl: () => string;
  rateLimitPerMinute: number;
  /** Expires what is due now, so a read never shows a grant past its deadline as active. */
  expireDue: () => Promise<void>;
  onInternalError: (error: unknown) => void;
  /** Reconciliation at the targets, for `/healthz` and `/metrics` (none: not running). */
  reconciliation?: () => ReconcileStatus;
  /** Measurements for `/metrics` (none: fresh ones). */
  metrics?: BrokerMetrics;
  /** How the server listens and logs (none: plain HTTP, no proxy trust, silent). */
  server?: {
    https?: { cert: Buffer; key: Buffer };
    /** Addresses or CIDR blocks of the proxies whose X-Forwarded-For is believed. */
    trustProxy?: string[];
    logLevel?: string;
  };
  /** Whether `/readyz` answers 200 (none: always, once listening). */
  ready?: () => boolean;
  /** The trusted issuers as `GET /.well-known/hourglass` publishes them (none: not served). */
  trustedIssuers?: readonly {
    issuer: string;
    audience: string;
    clientId?: string | undefined;
    name?: string | undefined;
    audienceParameter?: AudienceParameter | undefined;
  }[];
}
