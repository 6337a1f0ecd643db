/** The `jwt` credential: a broker-signed ES256 JWT bounded by the grant's deadline. */
import { SignJWT } from 'jose';
import type { Credential } from '../../../protocol/broker-api.ts';
import type { SigningKey } from '../../credentials/signing-key.ts';
import type { JwtSettings } from './jwt-settings.ts';

const RESERVED = new Set(['iss', 'aud', 'sub', 'exp', 'iat', 'nbf', 'jti', 'role', 'grant_id']);

/** Signs the credential JWT for an active grant. `tokenId` becomes `jti` (audited, unlike the token). */
export async function issueJwtCredential(input: {
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
  const token = await new SignJWT({ ...extra, ...groups, role: input.role, grant_id: grant.id })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setIssuer(input.issuer)
    .setAudience(settings.audience)
    .setSubject(grant.subject)
    .setIssuedAt(Math.floor(input.now.getTime() / 1000))
    .setExpirationTime(Math.floor(new Date(grant.expiresAt).getTime() / 1000))
    .setJti(input.tokenId)
    .sign(key.privateKey);
  return { kind: 'jwt', token, tokenType: 'Bearer', audience: settings.audience };
}
