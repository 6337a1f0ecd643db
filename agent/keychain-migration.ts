/**
 * Moves a non-standard data dir's items from the names every data dir shared before (see
 * keychain-scope.ts) to its own, once (a marker file in the data dir says it is done). Only what
 * is unambiguously this data dir's moves:
 * - a grant secret whose grant this data dir's store holds: copied to the data dir's own bucket
 *   while the grant lives, and taken out of the shared item unless the standard data dir's store
 *   holds that grant too (then the shared copy stays that data dir's); a secret past its deadline
 *   is taken out whoever holds it, as every agent would;
 * - the session item, when the standard data dir was never used (only non-standard data dirs
 *   wrote it), this data dir was (an agent ran here before: its prompt status file is there) and
 *   the item's IdP is this data dir's: otherwise it stays, and this data dir signs in again.
 * Corrupt items and secrets of other grants are left to the standard data dir's agent.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Result } from '../protocol/index.ts';
import { ok } from '../protocol/index.ts';
import type { GrantSecretEntry, GrantSecrets } from './grant-secrets.ts';
import type { GrantItem } from './grant-secrets-layout.ts';
import {
  formatBucket,
  parseBucket,
  parseGrantAccount,
  wipeInstant,
} from './grant-secrets-layout.ts';
import type { GrantStore } from './grant-store.ts';
import type { KeychainScope } from './keychain-scope.ts';
import { scopeAccountPrefix } from './keychain-scope.ts';
import type { Vault } from './keychain.vault.ts';
import { SESSION_ACCOUNT } from './keychain.vault.ts';
import { isSessionOf } from './session.ts';

/** Marker file (in the data dir) of a finished migration; holds the item prefix. */
export const MIGRATION_MARKER = 'keychain-scope';

/** What the migration reads and writes. */
export interface KeychainMigrationDeps {
  scope: KeychainScope;
  dataDir: string;
  /** The standard data dir of the profile (whose names the shared items have). */
  standardDir: string;
  /** The profile's items under the shared (standard) names. */
  shared: Vault;
  /** This data dir's own items. */
  own: Vault;
  secrets: GrantSecrets;
  store: GrantStore;
  issuer: string;
  brokerNow: () => number;
}

/** What moved: counts only, never an account or a secret. */
export interface MigrationOutcome {
  secretsCopied: number;
  secretsTakenOut: number;
  sessionMoved: boolean;
}

/** Runs the migration when this data dir is scoped and has not migrated yet. */
export async function migrateSharedItems(
  deps: KeychainMigrationDeps,
): Promise<Result<MigrationOutcome | null>> {
  const marker = join(deps.dataDir, MIGRATION_MARKER);
  if (deps.scope.dataDirHash === null || existsSync(marker)) return ok(null);
  const listed = await deps.shared.entries();
  if (!listed.ok) return listed;
  const plan = planGrantMove(deps, listed.value);
  const copied = await deps.secrets.putMany(plan.copies);
  if (!copied.ok) return copied;
  for (const [item, ids] of plan.takeOut) {
    const taken = await takeOut(deps.shared, item, ids);
    if (!taken.ok) return taken;
  }
  const session = await moveSession(deps, listed.value);
  if (!session.ok) return session;
  writeFileSync(marker, `${scopeAccountPrefix(deps.scope)}\n`, { mode: 0o600 });
  const secretsTakenOut = [...plan.takeOut.values()].reduce((n, ids) => n + ids.size, 0);
  return ok({ secretsCopied: plan.copies.length, secretsTakenOut, sessionMoved: session.value });
}

interface GrantMove {
  copies: GrantSecretEntry[];
  takeOut: Map<GrantItem, Set<string>>;
}

function planGrantMove(
  deps: KeychainMigrationDeps,
  entries: ReadonlyArray<{ account: string; secret: string }>,
): GrantMove {
  const standardHolds = standardGrantIds(deps.standardDir);
  const now = deps.brokerNow();
  const plan: GrantMove = { copies: [], takeOut: new Map() };
  for (const { account, secret } of entries) {
    const item = parseGrantAccount(account);
    const secrets = item ? secretsOf(item, secret) : null;
    if (!item || !secrets) continue;
    const out = new Set<string>();
    for (const [grantId, value] of secrets) {
      const record = deps.store.get(grantId);
      if (!record) continue;
      const live = record.wipedAt === null && wipeInstant(record.expiresAt) > now;
      if (live) plan.copies.push({ grantId, expiresAt: record.expiresAt, secret: value });
      if (!live || !standardHolds(grantId)) out.add(grantId);
    }
    if (out.size > 0) plan.takeOut.set(item, out);
  }
  return plan;
}

const secretsOf = (item: GrantItem, text: string): Map<string, string> | null =>
  item.kind === 'legacy' ? new Map([[item.grantId, text]]) : parseBucket(text);

const standardStoreSchema = z.object({ grants: z.array(z.object({ id: z.string() })) });

/** Whether the standard data dir's store holds a grant; unreadable means it may: keep its copy. */
function standardGrantIds(dir: string): (grantId: string) => boolean {
  const path = join(dir, 'grants.json');
  if (!existsSync(path)) return () => false;
  try {
    const parsed = standardStoreSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!parsed.success) return () => true;
    const ids = new Set(parsed.data.grants.map((g) => g.id));
    return (grantId) => ids.has(grantId);
  } catch {
    return () => true;
  }
}

/** Takes `ids` out of a shared item, read again just before (its owner may have written since). */
async function takeOut(shared: Vault, item: GrantItem, ids: Set<string>): Promise<Result<void>> {
  const text = await shared.read(item.account);
  if (!text.ok) return text;
  if (text.value === null) return ok(undefined);
  const secrets = secretsOf(item, text.value);
  if (!secrets) return ok(undefined);
  for (const id of ids) secrets.delete(id);
  if (secrets.size > 0 && item.kind === 'bucket') {
    const stored = await shared.store(item.account, formatBucket(secrets));
    return stored.ok ? ok(undefined) : stored;
  }
  const removed = await shared.remove(item.account);
  return removed.ok ? ok(undefined) : removed;
}

/** Moves the shared session item when only non-standard data dirs can have written it. */
async function moveSession(
  deps: KeychainMigrationDeps,
  entries: ReadonlyArray<{ account: string; secret: string }>,
): Promise<Result<boolean>> {
  const shared = entries.find((e) => e.account === SESSION_ACCOUNT)?.secret ?? null;
  const usedBefore = existsSync(join(deps.dataDir, 'status'));
  if (shared === null || !usedBefore || existsSync(deps.standardDir)) return ok(false);
  if (!isSessionOf(shared, deps.issuer)) return ok(false);
  const own = await deps.own.read(SESSION_ACCOUNT);
  if (!own.ok) return own;
  if (own.value !== null) return ok(false);
  const stored = await deps.own.store(SESSION_ACCOUNT, shared);
  if (!stored.ok) return stored;
  const removed = await deps.shared.remove(SESSION_ACCOUNT);
  return removed.ok ? ok(true) : removed;
}
