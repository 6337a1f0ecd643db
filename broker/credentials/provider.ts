/**
 * A credential provider acts at a target for a grant: create access when it turns active, move its
 * deadline when it is extended, take access away when it ends. One per kind; the outbox worker
 * calls them after the transition committed, and retries on failure.
 */
import type { ProviderKind } from '../../protocol/broker-api.ts';
import type { GrantRecord } from '../lifecycle/grant-record.ts';
import type { Effect } from '../lifecycle/transition-types.ts';

/** What a provider does for each outbox action. A failure throws; the worker retries. */
export interface CredentialProvider {
  readonly kind: ProviderKind;
  issue(grant: GrantRecord, now: Date): Promise<void>;
  reissue(grant: GrantRecord, now: Date): Promise<void>;
  revoke(grant: GrantRecord, now: Date): Promise<void>;
}

/** The providers this broker runs, by kind. */
export type ProviderRegistry = ReadonlyMap<ProviderKind, CredentialProvider>;

/** Builds a registry from providers. */
export const providerRegistry = (...providers: CredentialProvider[]): ProviderRegistry =>
  new Map(providers.map((p) => [p.kind, p]));

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
