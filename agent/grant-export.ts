/**
 * `exportGrant`: export lines for the signed-in user's active grant of a role. Never another
 * subject's grant; an active grant not on this device (signed in again, approved elsewhere) is
 * fetched here first (the broker audits the issue).
 */
import type { AgentHandlers, Credential, Result, Shell } from '../protocol/index.ts';
import { credentialSchema, fail, ok } from '../protocol/index.ts';
import { exportWindowSeconds, localDeadline } from './deadline-plan.ts';
import { formatExport } from './export-format.ts';
import { fetchCredential } from './grant-credentials.ts';
import type { GrantDeps } from './grant-deps.ts';
import type { GrantRecord } from './grant-store.ts';
import { wipeInstant } from './grant-secrets-layout.ts';
import { holdsSecret } from './snapshot-merge.ts';
import { heldPrivateKey } from './ssh-device-key.ts';

type ExportOutput = { script: string; expiresAt: string };

function parseCredential(text: string | null): Credential | null {
  if (text === null) return null;
  try {
    const parsed = credentialSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

async function exportRecord(
  deps: GrantDeps,
  record: GrantRecord,
  shell: Shell,
  sshKey: boolean,
): Promise<Result<ExportOutput>> {
  // The secret goes when its deadline's second begins (the deadline bucket is wiped whole).
  const wipeAt = new Date(wipeInstant(record.expiresAt)).toISOString();
  const left = localDeadline(wipeAt, deps.store.offsetMs()) - deps.clock.now();
  const window = exportWindowSeconds(record.grantedSeconds, deps.minExportSeconds);
  if (left <= window * 1000) {
    await deps.scheduler.rearm();
    const when =
      left <= 0 ? 'has expired' : `expires in ${Math.ceil(left / 1000)}s, too soon to hand out`;
    return fail('grant_not_active', `Your ${record.role} grant ${when}; request a new one`);
  }
  const secret = await deps.secrets.read(record.id);
  if (!secret.ok) return secret;
  const credential = parseCredential(secret.value);
  if (!credential) {
    await deps.scheduler.wipe(record.id, 'ended');
    return fail(
      'grant_not_active',
      `The ${record.role} credential is no longer in the keychain; request a new grant`,
    );
  }
  await deps.scheduler.rearm();
  const sshPrivateKey = sshKey ? (heldPrivateKey(secret.value) ?? undefined) : undefined;
  const script = formatExport(
    { credential, role: record.role, expiresAt: record.expiresAt, sshPrivateKey },
    shell,
  );
  if (!script.ok) return script;
  return ok({ script: script.value, expiresAt: record.expiresAt });
}

/** Why nothing can be exported: a hint names a command for a role only when the role exists. */
async function noActiveGrant(deps: GrantDeps, role: string): Promise<Result<ExportOutput>> {
  const roles = await deps.broker.listRoles();
  if (roles.ok && !roles.value.roles.some((r) => r.name === role))
    return fail('not_found', `No role named ${role} is available to you; see \`hourglass roles\``);
  return fail(
    'grant_not_active',
    `You have no active ${role} grant; request one with \`hourglass request ${role} --for <duration> --reason <text>\``,
  );
}

/** Creates the `exportGrant` handler. */
export function createExportHandler(deps: GrantDeps): AgentHandlers['exportGrant'] {
  return async ({ role, shell, sshKey, heldOnly }) => {
    const me = deps.user.cached() ?? (await deps.user.fetch().then((r) => (r.ok ? r.value : null)));
    // Unknown user (IdP or broker down): the held records are the last signed-in user's, since a
    // sign-in as someone else wipes the previous user's secrets first.
    const subject = me?.subject ?? deps.signedInSubject();
    const own = (r: GrantRecord) => subject === null || r.subject === subject;
    const held = deps.store
      .list()
      .filter((r) => r.role === role && holdsSecret(r) && own(r))
      .sort((a, b) => Date.parse(b.expiresAt) - Date.parse(a.expiresAt))[0];
    if (held) return exportRecord(deps, held, shell, sshKey === true);
    if (heldOnly === true) return fail('not_found', `No ${role} credential is held on this device`);
    const listed = await deps.broker.listGrants();
    if (!listed.ok) return listed;
    const active = listed.value.grants.find(
      (g) =>
        g.role === role &&
        g.status === 'active' &&
        (subject === null || g.subject === subject) &&
        !holdsSecret(deps.store.get(g.id)),
    );
    if (!active) return noActiveGrant(deps, role);
    const kept = await fetchCredential(deps, active);
    deps.hub.changed();
    return kept.ok ? exportRecord(deps, kept.value, shell, sshKey === true) : kept;
  };
}
