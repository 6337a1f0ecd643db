/** The `jwt` credential: a broker-signed ES256 JWT bounded by the grant's deadline. */
import type { Credential } from '../../../protocol/broker-api.ts';
import type { SigningKey } from '../../credentials/signing-key.ts';
import type { JwtSettings } from './jwt-settings.ts';

const RESERVED = new Set(['iss', 'aud', 'sub', 'exp', 'iat', 'nbf', 'jti', 'role', 'grant_id']);

const base64url = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Signs the credential JWT for an active grant. `tokenId` becomes `jti` (audited, unlike the
 * token). A compact JWS (RFC 7515) signed with node:crypto in this thread, as jose's `SignJWT`
 * would build it, without WebCrypto's per-signature cost.
 */
export function issueJwtCredential(input: {
  key: SigningKey;
  issuer: string;
  role: string;
  settings: JwtSettings;
  grant: { id: string; subject: string; expiresAt: string };
  tokenId: string;
  now: Date;
}): Promise<Credential> {
  const { key, settings, grant } = input;
  const extra = Object.fromEntries(
    Object.entries(settings.claims ?? {}).filter(([k]) => !RESERVED.has(k)),
  );
  const groups = settings.groups === undefined ? {} : { groups: settings.groups };
  const header = { alg: 'ES256', kid: key.kid, typ: 'JWT' };
  const payload = {
    ...extra,
    ...groups,
    role: input.role,
    grant_id: grant.id,
    iss: input.issuer,
    aud: settings.audience,
    sub: grant.subject,
    iat: Math.floor(input.now.getTime() / 1000),
    exp: Math.floor(new Date(grant.expiresAt).getTime() / 1000),
    jti: input.tokenId,
  };
  const signingInput = `${base64url(header)}.${base64url(payload)}`;
  const token = `${signingInput}.${key.signEs256(signingInput)}`;
  return Promise.resolve({ kind: 'jwt', token, tokenType: 'Bearer', audience: settings.audience });
}
