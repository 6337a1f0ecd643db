/**
 * What credential helpers print, from a grant's exported variables: kubectl's ExecCredential and
 * the AWS `credential_process` answer. Pure and dependency-free, so the fast path can load it.
 */

type Vars = Record<string, string>;
type Answer =
  | { ok: true; text: string }
  | { ok: false; code: 'bad_request' | 'grant_not_active'; message: string };

/** kubectl's exec credential plugin answer (client.authentication.k8s.io/v1). */
export function execCredential(token: string, expiresAt: string): string {
  const expirationTimestamp = new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `${JSON.stringify({
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: { token, expirationTimestamp },
  })}\n`;
}

/**
 * The AWS CLI / SDK `credential_process` answer (Version 1). Refuses rather than answer an
 * Expiration in the past: the SDK would use the keys until then.
 */
export function credentialProcessAnswer(vars: Vars, now: number): Answer {
  const { AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: secret, AWS_SESSION_TOKEN: session } = vars;
  const expiration = vars.AWS_CREDENTIAL_EXPIRATION;
  if (!id || !secret || !session || !expiration)
    return {
      ok: false,
      code: 'bad_request',
      message: 'not an aws role; credential-process needs AWS keys',
    };
  if (!(Date.parse(expiration) > now))
    return {
      ok: false,
      code: 'grant_not_active',
      message: 'the AWS session has ended; request the role again',
    };
  const answer = {
    Version: 1,
    AccessKeyId: id,
    SecretAccessKey: secret,
    SessionToken: session,
    Expiration: expiration,
  };
  return { ok: true, text: `${JSON.stringify(answer)}\n` };
}
