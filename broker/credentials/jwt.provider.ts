/**
 * The `jwt` provider at the target: the token is minted when the owner fetches it (the JWT is
 * bounded by the grant's deadline), so there is nothing to create or move at a target. Revocation
 * marks every token id handed out for the grant revoked, so an introspecting API refuses them.
 */
import type { GrantRepository } from '../store/grant-repository.ts';
import type { CredentialProvider } from './provider.ts';

/** The jwt provider over the broker's repository. */
export function jwtProvider(repo: GrantRepository): CredentialProvider {
  return {
    kind: 'jwt',
    issue: () => Promise.resolve(),
    reissue: () => Promise.resolve(),
    revoke: async (grant, now) => {
      await repo.revokeIssuedTokens(grant.id, now);
    },
  };
}
