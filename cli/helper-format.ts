/**
 * What credential helpers print, from a grant's exported variables: kubectl's ExecCredential and
 * the AWS `credential_process` answer. Pure and dependency-free, so the fast path can load it.
 */

type Vars = Record<string, string>;
type Answer =
  | { ok: true; text: string }
  | { ok: false; code: 'bad_request' | 'grant_not_active'; message: string };

/** The ExecCredential versions the fast path answers in (protocol/kube-exec-info.ts has the contract). */
const KUBE_V1 = 'client.authentication.k8s.io/v1';
const KUBE_VERSIONS = [KUBE_V1, 'client.authentication.k8s.io/v1beta1'];

/**
 * The version kubectl asked for in `KUBERNETES_EXEC_INFO` when the request is plainly one the full
 * CLI accepts (unset: v1); null otherwise, so the full CLI parses it with its contract and says
 * what is wrong. Never answers a version the contract refuses (a differential test holds that).
 */
export function fastKubeExecVersion(raw: string | undefined): string | null {
  if (raw === undefined || raw === '') return KUBE_V1;
  if (raw.length > 64 * 1024) return null;
  try {
    const info = JSON.parse(raw) as { apiVersion?: unknown; kind?: unknown } | null;
    if (typeof info !== 'object' || info === null || Array.isArray(info)) return null;
    const version = info.apiVersion;
    return info.kind === 'ExecCredential' && typeof version === 'string'
      ? (KUBE_VERSIONS.find((v) => v === version) ?? null)
      : null;
  } catch {
    return null;
  }
}

/** kubectl's exec credential plugin answer, in the `apiVersion` kubectl asked for. */
export function execCredential(token: string, expiresAt: string, apiVersion: string): string {
  const expirationTimestamp = new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `${JSON.stringify({
    apiVersion,
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
