/** Grant handlers: request, list (merged with the keychain) and export. Secrets go only to the vault. */
import { randomUUID } from 'node:crypto';
import type { AgentHandlers, Credential, Grant, LocalGrant, Result } from '../protocol/index.ts';
import { credentialSchema, fail, ok } from '../protocol/index.ts';
import type { BrokerClient } from './broker-client.ts';
import type { Clock } from './clock.ts';
import type { DeadlineScheduler } from './deadline-scheduler.ts';
import { exportWindowSeconds, localDeadline } from './deadline-plan.ts';
import { formatExport } from './export-format.ts';
import type { GrantRecord, GrantStore } from './grant-store.ts';
import type { Vault } from './keychain.vault.ts';
import { grantAccount } from './keychain.vault.ts';

/** What the grant handlers need. */
export interface GrantActionDeps {
  broker: BrokerClient;
  vault: Vault;
  store: GrantStore;
  scheduler: DeadlineScheduler;
  clock: Clock;
  minExportSeconds: number;
}

type GrantHandlers = Pick<AgentHandlers, 'requestGrant' | 'listGrants' | 'exportGrant'>;

const holds = (r: GrantRecord | undefined): boolean =>
  !!r && r.credentialStored && r.wipedAt === null;

/** Fetches an active grant's credential from the broker and keeps it in the keychain. */
async function fetchCredential(deps: GrantActionDeps, grant: Grant): Promise<Result<GrantRecord>> {
  const issued = await deps.broker.issueCredentials(grant.id);
  if (!issued.ok) return issued;
  const record: GrantRecord = {
    id: grant.id,
    role: grant.role,
    provider: grant.provider,
    grantedSeconds: grant.grantedSeconds,
    expiresAt: issued.value.expiresAt,
    credentialStored: false,
    wipedAt: null,
  };
  // The deadline is on disk before the secret is in the keychain, so a crash in between never
  // leaves a secret the scheduler does not know to wipe.
  deps.store.setOffsetMs(deps.broker.clockOffsetMs());
  deps.store.upsert(record);
  const stored = await deps.vault.store(
    grantAccount(grant.id),
    JSON.stringify(issued.value.credential),
  );
  if (!stored.ok) return stored;
  const held = { ...record, credentialStored: true };
  deps.store.upsert(held);
  await deps.scheduler.rearm();
  return ok(held);
}

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
  deps: GrantActionDeps,
  record: GrantRecord,
  shell: 'bash' | 'zsh' | 'fish',
) {
  const left = localDeadline(record.expiresAt, deps.store.offsetMs()) - deps.clock.now();
  const window = exportWindowSeconds(record.grantedSeconds, deps.minExportSeconds);
  if (left <= window * 1000) {
    await deps.scheduler.rearm();
    const when =
      left <= 0 ? 'has expired' : `expires in ${Math.ceil(left / 1000)}s, too soon to hand out`;
    return fail<never>('grant_not_active', `Your ${record.role} grant ${when}; request a new one`);
  }
  const secret = await deps.vault.read(grantAccount(record.id));
  if (!secret.ok) return secret;
  const credential = parseCredential(secret.value);
  if (!credential) {
    await deps.scheduler.wipe(record.id);
    return fail<never>(
      'grant_not_active',
      `The ${record.role} credential is no longer in the keychain; request a new grant`,
    );
  }
  await deps.scheduler.rearm();
  const script = formatExport(
    { credential, role: record.role, expiresAt: record.expiresAt },
    shell,
  );
  return ok({ script, expiresAt: record.expiresAt });
}

/** Creates the grant handlers. */
export function createGrantActions(deps: GrantActionDeps): GrantHandlers {
  return {
    async requestGrant(input) {
      // One key per request: a retry after a lost answer gets the grant the broker already made.
      const key = randomUUID();
      let created = await deps.broker.createRequest(input, key);
      if (!created.ok && created.error.code === 'broker_unreachable') {
        created = await deps.broker.createRequest(input, key);
      }
      if (!created.ok) return created;
      const { grant } = created.value;
      if (grant.status !== 'active') return ok({ grant: { ...grant, credentialStored: false } });
      const kept = await fetchCredential(deps, grant);
      if (!kept.ok) {
        return fail(
          kept.error.code,
          `Grant ${grant.id} is active but its credential was not kept: ${kept.error.message}`,
        );
      }
      return ok({ grant: { ...grant, expiresAt: kept.value.expiresAt, credentialStored: true } });
    },

    async listGrants() {
      const listed = await deps.broker.listGrants();
      if (!listed.ok) return listed;
      const grants: LocalGrant[] = [];
      for (const grant of listed.value.grants) {
        const record = deps.store.get(grant.id);
        // The broker ended it (revoked, expired): the local secret goes now, not at its old deadline.
        if (holds(record) && grant.status !== 'active') await deps.scheduler.wipe(grant.id);
        grants.push({
          ...grant,
          credentialStored: grant.status === 'active' && holds(deps.store.get(grant.id)),
        });
      }
      return ok({ now: listed.value.now, grants });
    },

    async exportGrant({ role, shell }) {
      const held = deps.store
        .list()
        .filter((r) => r.role === role && holds(r))
        .sort((a, b) => Date.parse(b.expiresAt) - Date.parse(a.expiresAt))[0];
      if (held) return exportRecord(deps, held, shell);
      // An approved grant whose credential was never fetched here (approval after the request).
      const listed = await deps.broker.listGrants();
      if (!listed.ok) return listed;
      const active = listed.value.grants.find(
        (g) => g.role === role && g.status === 'active' && !deps.store.get(g.id),
      );
      if (!active)
        return fail(
          'grant_not_active',
          `You have no active ${role} grant; request one with \`hourglass request ${role}\``,
        );
      const kept = await fetchCredential(deps, active);
      return kept.ok ? exportRecord(deps, kept.value, shell) : kept;
    },
  };
}
