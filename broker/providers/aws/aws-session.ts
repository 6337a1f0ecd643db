/**
 * One STS session for a grant: a short broker-signed web-identity JWT, then
 * AssumeRoleWithWebIdentity (AWS SDK, configurable endpoint and region). STS sessions last 900 s
 * at least: with less time left the session is asked for 900 s and the credential's `expiration`
 * is the grant's deadline, which SDKs honour (credential_process); keys copied elsewhere stay
 * valid at AWS until the session ends, which the deny-by-`aws:TokenIssueTime` recipe closes.
 */
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SignJWT } from 'jose';
import type { Credential } from '../../../protocol/broker-api.ts';
import { ProviderError } from '../../credentials/provider.ts';
import type { SigningKey } from '../../credentials/signing-key.ts';
import type { AwsSettings, AwsTarget } from './aws-settings.ts';

/** STS's shortest and longest session. */
export const STS_MIN_SECONDS = 900;
export const STS_MAX_SECONDS = 43_200;

/** `RoleSessionName`: the user, in STS's alphabet, 2 to 64 characters. */
export const roleSessionName = (subject: string): string =>
  subject
    .replace(/[^\w+=,.@-]/g, '_')
    .padEnd(2, '_')
    .slice(0, 64);

/** Assumes the role for the grant's owner until (at most) the grant's deadline. */
export async function assumeRole(input: {
  key: SigningKey;
  issuer: string;
  target: AwsTarget;
  settings: AwsSettings;
  grant: { id: string; subject: string; expiresAt: string };
  now: Date;
}): Promise<Credential> {
  const { grant, target } = input;
  const left = Math.floor((Date.parse(grant.expiresAt) - input.now.getTime()) / 1000);
  const duration = Math.min(Math.max(left, STS_MIN_SECONDS), STS_MAX_SECONDS);
  const nowSeconds = Math.floor(input.now.getTime() / 1000);
  const webIdentity = await new SignJWT({
    grant_id: grant.id,
    'https://aws.amazon.com/source_identity': roleSessionName(grant.subject),
  })
    .setProtectedHeader({ alg: 'ES256', kid: input.key.kid, typ: 'JWT' })
    .setIssuer(input.issuer)
    .setAudience(target.audience)
    .setSubject(grant.subject)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + 300)
    .sign(input.key.privateKey);
  const client = new STSClient({
    region: target.region,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
  });
  let answer;
  try {
    answer = await client.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: input.settings.roleArn,
        RoleSessionName: roleSessionName(grant.subject),
        WebIdentityToken: webIdentity,
        DurationSeconds: duration,
      }),
    );
  } catch (error) {
    const name = error instanceof Error ? error.name : 'error';
    throw new ProviderError('unavailable', `STS refused or could not be reached (${name})`);
  } finally {
    client.destroy();
  }
  const c = answer.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration)
    throw new ProviderError('unavailable', 'STS answered without credentials');
  const expiration = Math.min(c.Expiration.getTime(), Date.parse(grant.expiresAt));
  return {
    kind: 'aws',
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    expiration: new Date(expiration).toISOString(),
    region: target.region,
    roleArn: input.settings.roleArn,
  };
}
