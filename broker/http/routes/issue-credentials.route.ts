/** POST /v1/grants/:id/credentials: the owner fetches the credential of an active grant. */
import { issueJwtCredential } from '../../credentials/jwt-credential.ts';
import type { BrokerDeps } from '../broker-deps.ts';
import { failureToHttp, type RouteHandler } from '../contract-route.ts';
import { BrokerHttpError } from '../http-error.ts';

/** Handler of `issueCredentials`. The audit row (with the token id) commits before the token leaves. */
export function issueCredentialsRoute(deps: BrokerDeps): RouteHandler<'issueCredentials'> {
  return async ({ actor, params }) => {
    await deps.expireDue();
    const tokenId = deps.ids.tokenId();
    // Fail closed: no audit record, no credential.
    const result = await deps.service.apply(params.id, { kind: 'issueCredential', tokenId }, actor);
    if (!result.ok) throw failureToHttp(result.error);
    const grant = result.grant;
    const role = deps.policy.roles.find((r) => r.name === grant.role);
    if (!role || !grant.expiresAt)
      throw new BrokerHttpError('conflict', `role ${grant.role} is no longer in the policy`);
    const now = result.at;
    const credential = await issueJwtCredential({
      key: deps.signingKey,
      issuer: deps.publicUrl(),
      role,
      grant: { id: grant.id, subject: grant.subject, expiresAt: grant.expiresAt },
      tokenId,
      now,
    });
    return { now: now.toISOString(), grantId: grant.id, expiresAt: grant.expiresAt, credential };
  };
}
