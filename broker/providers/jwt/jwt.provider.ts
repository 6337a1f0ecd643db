/**
 * The `jwt` provider: the token is minted when the owner fetches it (bounded by the grant's
 * deadline), so there is nothing to create or move at a target. Revocation marks every token id
 * handed out for the grant revoked, so an introspecting API refuses them at once.
 */
import type { BoundProvider, CredentialProvider } from '../../credentials/provider.ts';
import type { GrantRepository } from '../../store/grant-repository.ts';
import { ProviderError } from '../../credentials/provider.ts';
import { defineProvider } from '../provider-definition.ts';
import { issueJwtCredential } from './jwt-credential.ts';
import { discoveryRoutes } from './jwt-discovery.ts';
import { jwtSettingsSchema } from './jwt-settings.ts';

/** The jwt provider's outbox effects: nothing at issue or extension; revocation marks token ids. */
export function jwtEffects(repo: GrantRepository): CredentialProvider {
  return {
    kind: 'jwt',
    issue: () => Promise.resolve(),
    reissue: () => Promise.resolve(),
    revoke: async (grant, now) => {
      await repo.revokeIssuedTokens(grant.id, now);
    },
  };
}

/** The jwt provider definition (the registry loads it by this name from this file). */
export const providerDefinition = defineProvider({
  kind: 'jwt',
  policySchema: jwtSettingsSchema,
  create: (setup) => {
    const provider: BoundProvider = {
      ...jwtEffects(setup.repo),
      credential: async ({ grant, tokenId, now }) => {
        const settings = setup.settingsOf(grant);
        if (!settings || !grant.expiresAt)
          throw new ProviderError('conflict', `role ${grant.role} is no longer in the policy`);
        return issueJwtCredential({
          key: setup.signingKey,
          issuer: setup.publicUrl(),
          role: grant.role,
          settings,
          grant: { id: grant.id, subject: grant.subject, expiresAt: grant.expiresAt },
          tokenId,
          now,
        });
      },
      health: () => Promise.resolve({ kind: 'jwt', status: 'ok', detail: null }),
      routes: (app) => discoveryRoutes(app, setup),
      reconciliation: {
        mode: 'none',
        why: 'signed tokens live only with their holder and end at their exp; the broker keeps their ids and refuses revoked ones; nothing persists at a target',
      },
      close: () => Promise.resolve(),
    };
    return Promise.resolve(provider);
  },
});
