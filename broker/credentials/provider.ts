/**
 * A credential provider acts at a target for a grant: create access when it turns active, move its
 * deadline when it is extended, take access away when it ends, and hand the owner the credential.
 * One per kind (broker/providers/<kind>/); the outbox worker calls the effects after the
 * transition committed and retries on failure; the credentials route calls `credential`.
 */
import type { FastifyInstance } from 'fastify';
import type { Credential, IssueCredentialsBody, ProviderKind } from '../../protocol/broker-api.ts';
import type { GrantRecord } from '../lifecycle/grant-record.ts';
import type { Effect } from '../lifecycle/transition-types.ts';

/** What a provider does for each outbox action. A failure throws; the worker retries. */
export interface CredentialProvider {
  readonly kind: ProviderKind;
  issue(grant: GrantRecord, now: Date): Promise<void>;
  reissue(grant: GrantRecord, now: Date): Promise<void>;
  revoke(grant: GrantRecord, now: Date): Promise<void>;
}

/** Whether a provider's targets answer. */
export interface ProviderHealth {
  kind: ProviderKind;
  status: 'ok' | 'down';
  /** What is wrong, naming the target; never a secret. */
  detail: string | null;
}

/** What the owner's fetch hands the provider. `tokenId` is audited before this runs. */
export interface CredentialRequest {
  grant: GrantRecord;
  body: IssueCredentialsBody;
  tokenId: string;
  now: Date;
}

/** Something reconciliation removed at a target: no live grant accounted for it. */
export interface OrphanRemoval {
  kind: ProviderKind;
  target: string;
  /** What was removed (a login role's name); never a secret. */
  name: string;
}

/**
 * What reconciliation does for a provider. `listed`: it lists what exists at its targets under
 * the broker's naming and removes what no grant accounts for. `none`: nothing it creates persists
 * at a target beyond the grant, so there is nothing to list (`why` says what bounds it instead).
 */
export type Reconciliation =
  | {
      mode: 'listed';
      /**
       * Lists first, then asks `accountedFor` (so a grant issued meanwhile is never taken for an
       * orphan), then removes every listed thing no grant accounts for, telling `removed` of each
       * right after it is gone.
       */
      run(
        accountedFor: () => Promise<readonly GrantRecord[]>,
        removed: (removal: OrphanRemoval) => Promise<void>,
      ): Promise<void>;
    }
  | { mode: 'none'; why: string };

/** A provider with its policy and configuration bound: effects, credentials and health. */
export interface BoundProvider extends CredentialProvider {
  /** Reconciliation at its targets (absent: nothing persists at a target). */
  reconciliation?: Reconciliation;
  /** The credential for the owner of an active grant; throws a `ProviderError` when it cannot. */
  credential(request: CredentialRequest): Promise<Credential>;
  health(): Promise<ProviderHealth>;
  /** Extra routes the provider serves (discovery documents, revocation lists); optional. */
  routes?(app: FastifyInstance): void;
  close(): Promise<void>;
}

/** A refusal a provider explains to the caller (bad input, target down); never carries a secret. */
export class ProviderError extends Error {
  constructor(
    readonly code: 'bad_request' | 'unavailable' | 'conflict',
    message: string,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** The providers this broker runs, by kind. */
export type ProviderRegistry = ReadonlyMap<ProviderKind, CredentialProvider>;

/** Builds a registry from providers. */
export const providerRegistry = <P extends CredentialProvider>(
  ...providers: P[]
): ReadonlyMap<ProviderKind, P> => new Map(providers.map((p) => [p.kind, p]));

/** Carries out one provider effect for `grant`. */
export async function runProviderEffect(
  provider: CredentialProvider,
  action: Effect['action'],
  grant: GrantRecord,
  now: Date,
): Promise<void> {
  switch (action) {
    case 'issue':
      return provider.issue(grant, now);
    case 'reissue':
      return provider.reissue(grant, now);
    case 'revoke':
      return provider.revoke(grant, now);
    default: {
      const never: never = action;
      throw new Error(`unknown provider action ${String(never)}`);
    }
  }
}
