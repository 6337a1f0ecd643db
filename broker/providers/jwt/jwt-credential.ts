/** The `jwt` credential provider: a broker-signed ES256 JWT bounded by the grant's deadline. */
import { SignJWT } from 'jose';
import type { Credential } from '../../protocol/broker-api.ts';
import type { PolicyRole } from '../policy/policy-schema.ts';
import type { SigningKey } from './signing-key.ts';

const RESERVED = new Set(['iss', 'aud', 'sub', 'exp', 'iat', 'nbf', 'jti', 'role', 'grant_id']);

/** Signs the credential JWT for an active grant. `tokenId` becomes `jti` (audited, unlike the token). */
export async function issueJwtCredential(input: {
  key: SigningKey;
  issuer: string;
  role: PolicyRole;
  grant: { id: string; subject: string; expiresAt: string };
  tokenId: string;
  now: Date;
}): Promise<Credential> {
  const { key, role, grant } = input;
  const extra = Object.fromEntries(
    Object.entries(role.provider.claims ?? {}).filter(([k]) => !RESERVED.has(k)),
  );
  const token = await new SignJWT({ ...extra, role: role.name, grant_id: grant.id })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setIssuer(input.issuer)
    .setAudience(role.provider.audience)
    .setSubject(grant.subject)
    .setIssuedAt(Math.floor(input.now.getTime() / 1000))
    .setExpirationTime(Math.floor(new Date(grant.expiresAt).getTime() / 1000))
    .setJti(input.tokenId)
    .sign(key.privateKey);
  return { kind: 'jwt', token, tokenType: 'Bearer', audience: role.provider.audience };
}
