/** POST /v1/grants/:id/credentials: the owner fetches the credential of an active grant. */
import type { Credential } from '../../../protocol/broker-api.ts';
import { ProviderError, type BoundProvider } from '../../credentials/provider.ts';
import type { GrantRecord } from '../../lifecycle/grant-record.ts';
import type { BrokerDeps } from '../broker-deps.ts';
import { failureToHttp, type RouteHandler } from '../contract-route.ts';
import { BrokerHttpError } from '../http-error.ts';

function providerOf(deps: BrokerDeps, grant: GrantRecord): BoundProvider {
  const provider = deps.providers.get(grant.provider);
  if (!provider)
    throw new BrokerHttpError('unavailable', `the broker runs no ${grant.provider} provider`);
  return provider;
}

/**
 * The provider acts at the target, then the grant is read again: a revocation that committed
 * meanwhile (its revoke effect may already have run) is undone here, so no access outlives it.
 */
async function issueAtTarget(
  deps: BrokerDeps,
  grant: GrantRecord,
  request: Parameters<BoundProvider['credential']>[0],
): Promise<Credential> {
  const provider = providerOf(deps, grant);
  let credential: Credential;
  try {
    credential = await provider.credential(request);
  } catch (error) {
    if (error instanceof ProviderError) throw new BrokerHttpError(error.code, error.message);
    throw error;
  }
  const after = await deps.repo.findGrant(grant.id);
  if (after?.status !== 'active') {
    await provider.revoke(after ?? grant, deps.clock.now()).catch(deps.onInternalError);
    throw new BrokerHttpError('grant_not_active', `grant ${grant.id} ended while it was issued`);
  }
  return credential;
}

/** Handler of `issueCredentials`. The audit row (with the token id) commits before the credential leaves. */
export function issueCredentialsRoute(deps: BrokerDeps): RouteHandler<'issueCredentials'> {
  return async ({ actor, params, body }) => {
    await deps.expireDue();
    const tokenId = deps.ids.tokenId();
    // Fail closed: no audit record, no credential.
    const result = await deps.service.apply(params.id, { kind: 'issueCredential', tokenId }, actor);
    if (!result.ok) throw failureToHttp(result.error);
    const grant = result.grant;
    if (!grant.expiresAt)
      throw new BrokerHttpError('conflict', `grant ${grant.id} has no deadline`);
    const now = result.at;
    const credential = await issueAtTarget(deps, grant, { grant, body, tokenId, now });
    return { now: now.toISOString(), grantId: grant.id, expiresAt: grant.expiresAt, credential };
  };
}
