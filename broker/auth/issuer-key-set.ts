/** Where the verifier gets each trusted issuer's key set: OIDC discovery, then jose's remote JWKS. */
import { createRemoteJWKSet, errors as joseErrors } from 'jose';
import type { FlattenedJWSInput, JWSHeaderParameters } from 'jose';
import { z } from 'zod';

/** jose's key resolver for one issuer: the `key` argument of `jwtVerify`. */
export type IssuerKeySet = (
  header: JWSHeaderParameters,
  token: FlattenedJWSInput,
) => Promise<CryptoKey>;

/** Finds the key set of `issuer` (rejects when the IdP cannot be reached). */
export type KeySetSource = (issuer: string) => Promise<IssuerKeySet>;

const discoverySchema = z.object({ issuer: z.string(), jwks_uri: z.url() });

/** The key set named by the issuer's discovery document, fetched and cached by jose. */
export const discoverKeySet: KeySetSource = async (issuer) => {
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, {
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new Error(`discovery answered HTTP ${response.status}`);
  const meta = discoverySchema.parse(await response.json());
  if (meta.issuer !== issuer) throw new Error('discovery names a different issuer');
  return createRemoteJWKSet(new URL(meta.jwks_uri), { timeoutDuration: 5000 });
};

/**
 * The IdP's key set could not be fetched (timeout, refused connection, non-200): an outage, not a
 * bad token. Telling the user to sign in again would send them to an IdP that is down.
 */
export function isJwksOutage(error: unknown): boolean {
  if (error instanceof joseErrors.JWKSTimeout) return true;
  // WebCrypto refusing to import a published key (e.g. `key_ops: ["sign"]` on a public key) is a
  // bad key set, not an outage; its timeouts and aborts are.
  if (error instanceof DOMException)
    return error.name === 'TimeoutError' || error.name === 'AbortError';
  if (!(error instanceof joseErrors.JOSEError)) return true;
  return error.code === 'ERR_JOSE_GENERIC' && /JSON Web Key Set/.test(error.message);
}
