/**
 * Opens a tenant's checkpoint witnesses at start: the witness file only after the store is found
 * to hold everything it saw (the broker refuses to start otherwise), stdout and the webhook from
 * the next checkpoint on.
 */
import type { SigningKey } from '../credentials/signing-key.ts';
import type { GrantRepository } from '../store/grant-repository.ts';
import type { TenantSettings } from '../tenants/tenant-config.ts';
import type { WitnessCursor } from './checkpoint-writer.ts';
import { checkStoreAgainstWitness } from './witness-start.ts';
import { openWitnessFile, stdoutWitness, webhookWitness } from './witness-sinks.ts';

/** The newest checkpoint in the store (0: none). */
async function newestCheckpoint(repo: GrantRepository): Promise<number> {
  let newest = 0;
  for (;;) {
    const page = await repo.checkpointsAfter(newest, 1000);
    const last = page.at(-1);
    if (!last) return newest;
    newest = last.seq;
  }
}

/** The witnesses `settings.auditWitness` names; throws (a clear message) when one cannot start. */
export async function openTenantWitnesses(
  settings: TenantSettings,
  deps: {
    repo: GrantRepository;
    signingKey: SigningKey;
    env: NodeJS.ProcessEnv;
    now: () => Date;
    stdout?: (line: string) => void;
  },
): Promise<WitnessCursor[]> {
  const config = settings.auditWitness;
  if (!config) return [];
  const cursors: WitnessCursor[] = [];
  if (config.file !== undefined) {
    const after = await checkStoreAgainstWitness({
      who: settings.name === undefined ? 'the broker' : `tenant ${settings.name}`,
      file: config.file,
      location:
        settings.databaseUrl !== undefined
          ? { kind: 'postgres', url: settings.databaseUrl }
          : { kind: 'sqlite', path: settings.databasePath ?? '' },
      publicJwk: deps.signingKey.publicJwk,
    });
    cursors.push({ witness: openWitnessFile(config.file, settings.name), after });
  }
  if (!config.stdout && !config.webhook) return cursors;
  const newest = await newestCheckpoint(deps.repo);
  if (config.stdout)
    cursors.push({ witness: stdoutWitness(settings.name, deps.stdout), after: newest });
  if (config.webhook) {
    const { url, secretEnv } = config.webhook;
    const secret = secretEnv ? deps.env[secretEnv] : undefined;
    if (secretEnv && !secret) {
      for (const c of cursors) c.witness.close();
      throw new Error(
        `audit witness webhook ${new URL(url).host}: environment variable ${secretEnv} is unset`,
      );
    }
    cursors.push({
      witness: webhookWitness({ url, secret }, settings.name, deps.now),
      after: newest,
    });
  }
  return cursors;
}
