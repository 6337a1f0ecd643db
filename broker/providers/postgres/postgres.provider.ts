/**
 * The `postgres` provider: a temporary login role per grant, `VALID UNTIL` its deadline, member of
 * the policy's group role. Extend moves `VALID UNTIL` (same password, open sessions stay); revoke and
 * expiry end its sessions, drop what it made in every database and drop it, since `VALID UNTIL`
 * only gates new password logins.
 */
import type { Credential } from '../../../protocol/broker-api.ts';
import { createHash } from 'node:crypto';
import type { BoundProvider, ProviderHealth } from '../../credentials/provider.ts';
import { GrantNotLiveError, isLiveAt } from '../../lifecycle/grant-liveness.ts';
import { listMarkedLoginRoles } from './postgres-reconcile.ts';
import { ProviderError } from '../../credentials/provider.ts';
import type { GrantRecord } from '../../lifecycle/grant-record.ts';
import { defineProvider, parseTargets, requireTargets } from '../provider-definition.ts';
import { resolveSecret } from '../secret-ref.ts';
import { databaseUrl, type InDatabase } from './owned-objects.ts';
import { dropLoginRole, ensureLoginRole, withAdmin } from './postgres-admin.ts';
import { postgresSettingsSchema, postgresTargetSchema } from './postgres-settings.ts';
import type { PostgresSettings, PostgresTarget } from './postgres-settings.ts';
import { loginPassword, loginRoleName, scramVerifier } from './role-login.ts';

interface ReadyTarget {
  name: string;
  adminUrl: string;
  connect: { host: string; port: number; database: string; sslmode?: string };
}

async function readyTarget(name: string, target: PostgresTarget, env: NodeJS.ProcessEnv) {
  const adminUrl = await resolveSecret(target.adminUrl, env);
  let url: URL;
  try {
    url = new URL(adminUrl);
  } catch {
    throw new Error(`broker config: targets.${name}.adminUrl is not a postgres:// URL`);
  }
  const ready: ReadyTarget = {
    name,
    adminUrl,
    connect: {
      host: target.connect.host ?? (decodeURIComponent(url.hostname) || '127.0.0.1'),
      port: target.connect.port ?? (Number(url.port) || 5432),
      database:
        target.connect.database ?? (decodeURIComponent(url.pathname.slice(1)) || 'postgres'),
      ...(target.connect.sslmode ? { sslmode: target.connect.sslmode } : {}),
    },
  };
  return ready;
}

/** Admin sessions in the target's other databases (a login may own objects in each). */
const otherDatabases =
  (target: ReadyTarget): InDatabase =>
  async (database, action) => {
    const url = databaseUrl(target.adminUrl, database);
    await withAdmin(url, `${target.name} (database ${database})`, action);
  };

/** The postgres provider definition (the registry loads it by this name from this file). */
export const providerDefinition = defineProvider({
  kind: 'postgres',
  policySchema: postgresSettingsSchema,
  create: async (setup) => {
    requireTargets('postgres', setup.roles, setup.targets);
    const targets = new Map<string, ReadyTarget>();
    for (const [name, target] of parseTargets('postgres', setup.targets, postgresTargetSchema))
      targets.set(name, await readyTarget(name, target, setup.env));
    const key = setup.signingKey.deriveSecret('postgres-password');
    // The mark on every role this broker creates (its key's own, so tenants sharing a cluster
    // never reconcile each other's roles); a hash, never the derived secret itself.
    const owner = `hourglass broker ${createHash('sha256')
      .update(setup.signingKey.deriveSecret('postgres-owner'))
      .digest('hex')
      .slice(0, 24)}`;
    // Asked under the role's lock at the target: the grant as stored now, not as claimed.
    const stillLive = (grant: GrantRecord) => async () =>
      isLiveAt(await setup.repo.findGrant(grant.id), setup.clock.now());
    const targetOf = (settings: PostgresSettings): ReadyTarget => {
      const target = targets.get(settings.target);
      if (!target) throw new Error(`postgres target ${settings.target} is not configured`);
      return target;
    };

    const ensure = async (grant: GrantRecord): Promise<ReadyTarget> => {
      const settings = setup.settingsOf(grant);
      if (!settings || !grant.expiresAt)
        throw new ProviderError('conflict', `role ${grant.role} is no longer in the policy`);
      const target = targetOf(settings);
      const spec = {
        name: loginRoleName(grant),
        verifier: scramVerifier(loginPassword(key, target.name, grant.id)),
        validUntil: grant.expiresAt,
        memberOf: settings.role,
        connectionLimit: settings.connectionLimit,
        owner,
        stillLive: stillLive(grant),
      };
      const live = await withAdmin(target.adminUrl, target.name, (c) =>
        ensureLoginRole(c, spec, target.name),
      );
      if (!live) throw new GrantNotLiveError(grant.id);
      return target;
    };
    // A grant whose role left the policy is dropped at every target (its name is its own).
    const revoke = async (grant: GrantRecord): Promise<void> => {
      const settings = setup.settingsOf(grant);
      const at = settings ? [targetOf(settings)] : [...targets.values()];
      for (const target of at)
        await withAdmin(target.adminUrl, target.name, (c) =>
          dropLoginRole(c, loginRoleName(grant), otherDatabases(target)),
        );
    };

    const provider: BoundProvider = {
      kind: 'postgres',
      issue: async (grant) => void (await ensure(grant)),
      reissue: async (grant) => void (await ensure(grant)),
      revoke,
      credential: async ({ grant }): Promise<Credential> => {
        const target = await ensure(grant).catch((error: unknown) => {
          if (error instanceof ProviderError) throw error;
          if (error instanceof GrantNotLiveError)
            throw new ProviderError('conflict', `grant ${grant.id} is no longer active`);
          throw new ProviderError('unavailable', error instanceof Error ? error.message : 'failed');
        });
        return {
          kind: 'postgres',
          ...target.connect,
          user: loginRoleName(grant),
          password: loginPassword(key, target.name, grant.id),
        };
      },
      health: async (): Promise<ProviderHealth> => {
        for (const target of targets.values()) {
          try {
            await withAdmin(target.adminUrl, target.name, (c) => c.query('SELECT 1'));
          } catch (error) {
            const detail = error instanceof Error ? error.message : `${target.name} failed`;
            return { kind: 'postgres', status: 'down', detail };
          }
        }
        return { kind: 'postgres', status: 'ok', detail: null };
      },
      reconciliation: {
        mode: 'listed',
        run: async (accountedFor, removed) => {
          for (const target of targets.values()) {
            const listed = await withAdmin(target.adminUrl, target.name, (c) =>
              listMarkedLoginRoles(c, owner),
            );
            if (listed.length === 0) continue;
            // Read after listing: a role listed above whose grant is not accounted for now was
            // made for a grant that has ended with nothing left to do, and can never be live again.
            const kept = new Set((await accountedFor()).map((g) => loginRoleName(g)));
            for (const name of listed.filter((n) => !kept.has(n))) {
              await withAdmin(target.adminUrl, target.name, (c) =>
                dropLoginRole(c, name, otherDatabases(target)),
              );
              await removed({ kind: 'postgres', target: target.name, name });
            }
          }
        },
      },
      close: () => Promise.resolve(),
    };
    return provider;
  },
});
