/** The IdP connection: OIDC discovery once (cached on success), with plain http only where allowed. */
import * as client from 'openid-client';
import type { Result } from '../../protocol/index.ts';
import { fail, ok } from '../../protocol/index.ts';

/** Where the IdP is and how this public client identifies itself. */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  allowInsecureHttp: boolean;
}

/** A lazily discovered IdP configuration. */
export interface OidcConnection {
  configuration(): Promise<Result<client.Configuration>>;
}

/** Creates the connection; discovery failures are not cached, so the next call retries. */
export function createOidcConnection(settings: OidcSettings): OidcConnection {
  let cached: Promise<client.Configuration> | null = null;
  return {
    async configuration() {
      cached ??= client.discovery(
        new URL(settings.issuer),
        settings.clientId,
        undefined,
        client.None(),
        {
          execute: [
            // openid-client trusts ID tokens from the token endpoint on TLS alone and skips their
            // signature: a forged ID token (another `sub`) from a compromised or spoofed token
            // endpoint, or a TLS-intercepting proxy, would sign the wrong user in. Verify it
            // against the issuer's JWKS, as for every other token.
            client.enableNonRepudiationChecks,
            // Plain http only for loopback demo/test issuers; config.ts refuses it elsewhere.
            ...(settings.allowInsecureHttp ? [client.allowInsecureRequests] : []),
          ],
        },
      );
      try {
        return ok(await cached);
      } catch (error) {
        cached = null;
        const mismatch = error instanceof client.ClientError && /issuer/i.test(error.message);
        return mismatch
          ? fail(
              'login_failed',
              `The identity provider at ${settings.issuer} announced a different issuer; check HOURGLASS_ISSUER`,
            )
          : fail(
              'unavailable',
              `The identity provider at ${settings.issuer} is unreachable; retry when it is back`,
            );
      }
    },
  };
}

/** Whether an openid-client error means the refresh token is no longer good. */
export function isInvalidGrant(error: unknown): boolean {
  return error instanceof client.ResponseBodyError && error.error === 'invalid_grant';
}
