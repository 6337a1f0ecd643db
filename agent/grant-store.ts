/** Grant metadata (never secrets) in `<dataDir>/grants.json`, mode 0600, written atomically. */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  grantIdSchema,
  grantSchema,
  instantSchema,
  providerKindSchema,
  roleNameSchema,
  wipeTriggerSchema,
} from '../protocol/index.ts';

/** A wipe receipt not yet accepted by the broker (metadata only), retried on reconnect. */
export const queuedReceiptSchema = z.object({
  wipedAt: instantSchema,
  trigger: wipeTriggerSchema,
  items: z.array(z.string()),
});
export type QueuedReceipt = z.infer<typeof queuedReceiptSchema>;

/** What the agent remembers about a grant it holds (or held) a secret for. Never a secret. */
export const grantRecordSchema = z.object({
  id: grantIdSchema,
  role: roleNameSchema,
  provider: providerKindSchema,
  grantedSeconds: z.number().int().positive(),
  expiresAt: instantSchema,
  credentialStored: z.boolean(),
  /** When this device deleted the secret (`wipedLocallyAt` in the local API). */
  wipedAt: instantSchema.nullable(),
  /** Whose grant it is: export hands out only the signed-in subject's grants. */
  subject: z.string().nullable().default(null),
  /** The broker's last word on the grant, shown when the broker cannot be reached. */
  grant: grantSchema.nullable().default(null),
  receipt: queuedReceiptSchema.nullable().default(null),
});
export type GrantRecord = z.infer<typeof grantRecordSchema>;

const fileSchema = z.object({
  /** Broker clock minus local clock at the last broker response. */
  offsetMs: z.number().finite(),
  grants: z.array(grantRecordSchema),
});
type StoreFile = z.infer<typeof fileSchema>;

/** The grant metadata store. */
export interface GrantStore {
  readonly path: string;
  list(): GrantRecord[];
  get(id: string): GrantRecord | undefined;
  upsert(record: GrantRecord): void;
  /** Upserts several records with one write (a thousand wipes at one deadline). */
  upsertMany(records: readonly GrantRecord[]): void;
  /** Forgets a grant (its secret already wiped and its receipt delivered or abandoned). */
  remove(id: string): void;
  offsetMs(): number;
  setOffsetMs(offsetMs: number): void;
}

/** Creates the directory `dir` owner-only (0700). */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

function load(path: string): StoreFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { offsetMs: 0, grants: [] };
  }
  try {
    const parsed = fileSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // Not JSON: handled below like a schema mismatch.
  }
  // Keep the unreadable file for diagnosis instead of overwriting it; the scheduler wipes the
  // keychain items this store no longer knows, so no secret outlives it.
  renameSync(path, `${path}.unreadable-${Date.now()}`);
  return { offsetMs: 0, grants: [] };
}

/** Opens (or creates) the grant store in `dataDir`. */
export function openGrantStore(dataDir: string): GrantStore {
  ensurePrivateDir(dataDir);
  const path = join(dataDir, 'grants.json');
  let state = load(path);
  // Memory follows the disk: a failed write throws and leaves both as they were, so a retry
  // does the work again instead of believing it done.
  const save = (next: StoreFile) => {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(next, null, 2), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
    state = next;
  };
  return {
    path,
    list: () => state.grants.map((g) => ({ ...g })),
    get: (id) => state.grants.find((g) => g.id === id),
    upsert: (record) => {
      const rest = state.grants.filter((g) => g.id !== record.id);
      save({ ...state, grants: [...rest, grantRecordSchema.parse(record)] });
    },
    upsertMany: (records) => {
      if (records.length === 0) return;
      const ids = new Set(records.map((r) => r.id));
      const rest = state.grants.filter((g) => !ids.has(g.id));
      save({ ...state, grants: [...rest, ...records.map((r) => grantRecordSchema.parse(r))] });
    },
    remove: (id) => {
      if (!state.grants.some((g) => g.id === id)) return;
      save({ ...state, grants: state.grants.filter((g) => g.id !== id) });
    },
    offsetMs: () => state.offsetMs,
    setOffsetMs: (offsetMs) => {
      if (offsetMs === state.offsetMs) return;
      save({ ...state, offsetMs });
    },
  };
}
