/**
 * The contract of `KUBERNETES_EXEC_INFO`, the JSON kubectl (client-go) hands an exec credential
 * plugin: an ExecCredential whose `apiVersion` is the version it expects the answer in (the one the
 * kubeconfig's exec block names). `hourglass kube-credential` answers in that version or refuses.
 */
import { z } from 'zod';
import type { Result } from './result.ts';
import { fail, ok } from './result.ts';

/** The ExecCredential versions Hourglass answers in (kubectl ≥ 1.22 knows v1; older, v1beta1). */
export const kubeExecApiVersionSchema = z.enum([
  'client.authentication.k8s.io/v1',
  'client.authentication.k8s.io/v1beta1',
]);
/** One of them. */
export type KubeExecApiVersion = z.infer<typeof kubeExecApiVersionSchema>;

/** The answer's version when kubectl sets no `KUBERNETES_EXEC_INFO` (a run by hand). */
export const DEFAULT_KUBE_EXEC_API_VERSION: KubeExecApiVersion = 'client.authentication.k8s.io/v1';

/** client-go sends a few hundred bytes (more with `provideClusterInfo`); more is not kubectl. */
export const KUBE_EXEC_INFO_MAX_LENGTH = 64 * 1024;

const execInfoSchema = z.object({
  apiVersion: z.string(),
  kind: z.literal('ExecCredential'),
});

const USE = 'set the exec block’s apiVersion in your kubeconfig to one of them';

/** A value from the request, safe to show on a terminal: JSON-escaped and at most 80 characters. */
function shown(value: string): string {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/**
 * The ExecCredential version kubectl asked for in `raw` (the variable's value; undefined when
 * unset: v1). A request that is not an ExecCredential, or asks for a version Hourglass does not
 * answer in, is refused with what to change; nothing but the asked-for version is echoed.
 */
export function parseKubeExecInfo(raw: string | undefined): Result<KubeExecApiVersion> {
  if (raw === undefined || raw === '') return ok(DEFAULT_KUBE_EXEC_API_VERSION);
  if (raw.length > KUBE_EXEC_INFO_MAX_LENGTH)
    return fail('bad_request', 'KUBERNETES_EXEC_INFO is too long to be from kubectl; unset it');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return fail(
      'bad_request',
      'KUBERNETES_EXEC_INFO is not JSON; kubectl sets it for an exec plugin: unset it, or run kube-credential from a kubeconfig exec block',
    );
  }
  const info = execInfoSchema.safeParse(json);
  if (!info.success)
    return fail(
      'bad_request',
      'KUBERNETES_EXEC_INFO is not an ExecCredential request (needs kind ExecCredential and an apiVersion); unset it, or run kube-credential from a kubeconfig exec block',
    );
  const version = kubeExecApiVersionSchema.safeParse(info.data.apiVersion);
  if (!version.success)
    return fail(
      'bad_request',
      `kubectl asked for an ExecCredential in ${shown(info.data.apiVersion)}; hourglass answers in ${kubeExecApiVersionSchema.options.join(' or ')}: ${USE}`,
    );
  return ok(version.data);
}
